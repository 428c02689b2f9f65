/* ptbench vm's host-side pieces: kernel specs, the run cpio, the channel. */
#include <stdlib.h>
#include <string.h>

#include "ptbench/vm.h"
#include "tap.h"

static void spec_ok(const char *spec, const char *image, const char *label)
{
	char err[256] = "", *i = NULL, *l = NULL;
	int rc = pt_vm_kernel_spec(spec, &i, &l, err, sizeof(err));

	tap_ok(rc == 0 && !strcmp(i, image) && !strcmp(l, label), "'%s' -> image '%s' label '%s' (got %s %s %s)",
	       spec, image, label, i ? i : "-", l ? l : "-", err);
	free(i);
	free(l);
}

static void spec_bad(const char *spec, const char *why)
{
	char err[256] = "", *i = NULL, *l = NULL;

	tap_ok(pt_vm_kernel_spec(spec, &i, &l, err, sizeof(err)) == -1 && strstr(err, why),
	       "'%s' refused: %s", spec, err);
}

static char *dup(const char *s)
{
	return strcpy(malloc(strlen(s) + 1), s);
}

int main(void)
{
	struct pt_vm_channel ch;
	char *t;

	spec_ok("build/kernels/vmlinuz-6.1.0-50-cloud-amd64", "build/kernels/vmlinuz-6.1.0-50-cloud-amd64",
		"6.1.0-50-cloud-amd64");
	spec_ok("/boot/vmlinuz-6.12+x:deb-6.12", "/boot/vmlinuz-6.12+x", "deb-6.12");
	spec_ok("bzImage", "bzImage", "bzImage");
	spec_ok("/a:b/bzImage", "/a:b/bzImage", "bzImage");
	spec_bad(":lbl", "no image path");
	spec_bad("bzImage:", "empty label");
	spec_bad("bzImage:a b", "may hold only");
	spec_bad("bzImage:..", "starts with '.'");
	/* labels name directories: one check for every such name (issue 23 row 2) */
	spec_bad("bzImage:.hidden", "starts with '.'");
	spec_bad("bzImage:a..b", "holds '..'");
	spec_bad("bzImage:0123456789012345678901234567890123456789012345678901234567890123456789"
		 "0123456789012345678901234567890", "more than 100");

	/* a whole conversation, with a tty's \r\n */
	t = dup("noise\r\n@@PTBENCH-GUEST 6.1.0-50@@\r\n@@PTBENCH-RESULT-BEGIN 0 0@@\r\n{\r\n \"a\": 1\r\n}\r\n"
		"@@PTBENCH-RESULT-END 0@@\r\n@@PTBENCH-RESULT-BEGIN 1 4@@\r\n@@PTBENCH-RESULT-END 1@@\r\n"
		"@@PTBENCH-DONE 2@@\r\n");
	pt_vm_parse_channel(t, &ch);
	tap_ok(ch.release && !strcmp(ch.release, "6.1.0-50"), "guest release read");
	tap_ok(ch.done && ch.nresults == 2, "two results and the final marker");
	tap_ok(ch.results[0].complete && ch.results[0].rc == 0 && ch.results[0].json &&
	       !strcmp(ch.results[0].json, "{\n \"a\": 1\n}\n"), "first body exact, \\r dropped");
	tap_ok(ch.results[1].complete && ch.results[1].rc == 4 && !ch.results[1].json,
	       "a skipped run: rc 4, no body");
	free(t);

	/* the guest died mid-result */
	t = dup("@@PTBENCH-GUEST x@@\n@@PTBENCH-RESULT-BEGIN 0 0@@\n{\"a\":\n");
	pt_vm_parse_channel(t, &ch);
	tap_ok(ch.nresults == 1 && !ch.results[0].complete && !ch.done, "a cut-off result is not complete");
	free(t);

	/* an end marker of another index does not close the body */
	t = dup("@@PTBENCH-RESULT-BEGIN 0 0@@\n{}\n@@PTBENCH-RESULT-END 1@@\n");
	pt_vm_parse_channel(t, &ch);
	tap_ok(ch.nresults == 1 && !ch.results[0].complete, "end marker must match the index");
	free(t);

	t = dup("");
	pt_vm_parse_channel(t, &ch);
	tap_ok(!ch.release && !ch.nresults && !ch.done, "silence is nothing");
	free(t);

	/* newc: header, name and data each padded to 4 bytes */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		tap_ok(pt_vm_cpio_entry(f, "ab", 0100644, "xyz", 3) == 0 && pt_vm_cpio_trailer(f) == 0,
		       "cpio entries written");
		fclose(f);
		/* 110 + 3 name -> 116; 3 data -> 4; trailer 110 + 11 -> 124 */
		tap_ok(len == 116 + 4 + 124, "archive length %zu", len);
		tap_ok(!memcmp(buf, "070701", 6) && !memcmp(buf + 6 + 8, "000081A4", 8) &&
		       !memcmp(buf + 6 + 6 * 8, "00000003", 8) && !memcmp(buf + 6 + 11 * 8, "00000003", 8),
		       "mode, file size and name size in hex");
		tap_ok(!memcmp(buf + 110, "ab\0", 3) && !memcmp(buf + 116, "xyz\0", 4) &&
		       !memcmp(buf + 120 + 110, "TRAILER!!!", 11), "name, data, trailer at their offsets");
		free(buf);
	}
	return tap_done();
}
