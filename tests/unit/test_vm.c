/* ptbench vm's host-side pieces: kernel specs, the run cpio, the channel. */
#include <stdlib.h>
#include <string.h>

#include "ptbench/vm.h"
#include "ptbench/vm_topology.h"
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

static void topo_ok(const char *spec, int s, int c, int t, int nodes)
{
	struct pt_vm_topology tp;
	char err[256] = "";
	int rc = pt_vm_topology_parse(spec, &tp, err, sizeof(err));

	tap_ok(rc == 0 && tp.sockets == s && tp.cores == c && tp.threads == t && tp.nodes == nodes,
	       "--topology '%s' -> %ds%dc%dt nodes=%d (%s)", spec, s, c, t, nodes, err);
}

static void topo_bad(const char *spec, const char *why)
{
	struct pt_vm_topology tp;
	char err[256] = "";

	tap_ok(pt_vm_topology_parse(spec, &tp, err, sizeof(err)) == -1 && strstr(err, why),
	       "--topology '%s' refused naming '%s': %s", spec, why, err);
}

/* argv joined by spaces */
static void join(char **argv, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; *argv && n < len; argv++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", *argv);
}

static void topology_tests(void)
{
	struct pt_vm_topology tp;
	char err[256], buf[1024];
	char **argv;
	int first, last;

	topo_ok("2s2c2t", 2, 2, 2, 0);
	topo_ok("2s2c2t,nodes=2", 2, 2, 2, 2);
	topo_ok("4c", 1, 4, 1, 0);
	topo_ok("2s2t", 2, 1, 2, 0);
	topo_ok("1s8c1t,nodes=4", 1, 8, 1, 4);
	topo_ok("16s16c1t", 16, 16, 1, 0);
	topo_bad("2s0c1t", "cores must be 1..64");
	topo_bad("2s65c1t", "cores must be 1..64");
	topo_bad("0s1c1t", "sockets must be 1..16");
	topo_bad("1s1c9t", "threads must be 1..8");
	topo_bad("2s99999999999999999999c1t", "cores must be 1..64");
	topo_bad("16s64c1t", "1024 CPUs: at most 256");
	topo_bad("2c2s", "in that order");
	topo_bad("2s2s", "in that order");
	topo_bad("s2c", "'s2c': want SOCKETSsCOREScTHREADSt");
	topo_bad("2x", "'2x': want");
	topo_bad("-2s", "want");
	topo_bad("", "an empty part");
	topo_bad("2s,", "an empty part");
	topo_bad("2s,,nodes=2", "an empty part");
	topo_bad("2s2c2t,nodes=0", "'nodes=0': nodes must be 1..16");
	topo_bad("2s2c2t,nodes=x", "'nodes=x': nodes must be 1..16");
	topo_bad("2s2c2t,nodes=2,nodes=2", "nodes= given twice");
	topo_bad("2s2c2t,nodes=3", "nodes=3: 8 CPUs do not split evenly into 3 nodes");
	topo_bad("1s1c2t,nodes=2", "would split a core of 2 threads");
	topo_bad("2s2c2t,sockets=2", "'sockets=2': want nodes=N or dist=");
	topo_bad("2s2c2t,dist=30", "dist= needs nodes=2 or more");
	topo_bad("2s2c2t,nodes=2,dist=10", "dist '10': a remote distance must be 11..254");
	topo_bad("2s2c2t,nodes=2,dist=255", "dist '255'");
	topo_bad("2s2c2t,nodes=2,dist=0-1:9", "dist '0-1:9'");
	topo_bad("2s2c2t,nodes=2,dist=0-1", "dist '0-1': want D, or A-B:D");
	topo_bad("2s2c2t,nodes=2,dist=0-2:30", "dist 0-2: nodes are 0..1");
	topo_bad("2s2c2t,nodes=2,dist=1-1:30", "distance to itself is 10");
	topo_bad("2s2c2t,nodes=2,dist=0-1:30,0-1:40", "dist 0-1 given twice");
	topo_bad("2s2c2t,nodes=2,dist=30,0-1:40", "not both");
	topo_bad("2s2c2t,nodes=2,dist=0-1:40,30", "not both");
	topo_bad("2s2c2t,nodes=2,dist=0-1:30,nodes=2", "nodes= given twice");

	/* the qemu arguments: -smp, one backend and one node per node, the
	 * distances both ways */
	tap_ok(pt_vm_topology_parse("2s2c2t,nodes=2,dist=0-1:30", &tp, err, sizeof(err)) == 0, "parsed");
	tap_ok(pt_vm_topology_cpus(&tp) == 8, "2s2c2t is 8 CPUs");
	pt_vm_topology_smp(&tp, buf, sizeof(buf));
	tap_ok(!strcmp(buf, "cpus=8,sockets=2,cores=2,threads=2"), "-smp %s", buf);
	argv = pt_vm_topology_numa_argv(&tp, 2048);
	join(argv, buf, sizeof(buf));
	tap_ok(!strcmp(buf, "-object memory-backend-ram,id=m0,size=1024M -numa node,nodeid=0,cpus=0-3,memdev=m0 "
			    "-object memory-backend-ram,id=m1,size=1024M -numa node,nodeid=1,cpus=4-7,memdev=m1 "
			    "-numa dist,src=0,dst=1,val=30 -numa dist,src=1,dst=0,val=30"),
	       "numa arguments: %s", buf);
	pt_vm_topology_argv_free(argv);

	/* nodes == sockets: each socket is one node; else an even split */
	tap_ok(pt_vm_topology_parse("4s2c1t,nodes=2,dist=25", &tp, err, sizeof(err)) == 0, "parsed 4s2c1t");
	pt_vm_topology_node_cpus(&tp, 1, &first, &last);
	tap_ok(first == 4 && last == 7, "4 sockets on 2 nodes: node 1 holds sockets 2-3 (CPUs %d-%d)", first, last);
	tap_ok(tp.dist[0][1] == 25 && tp.dist[1][0] == 25 && tp.dist[0][0] == 0, "dist=D is every remote pair");
	tap_ok(pt_vm_topology_parse("1s3c1t,nodes=3,dist=0-1:15,1-0:16,0-2:30", &tp, err, sizeof(err)) == 0,
	       "parsed per-pair distances (%s)", err);
	tap_ok(tp.dist[0][1] == 15 && tp.dist[1][0] == 16 && tp.dist[2][0] == 30 && !tp.dist[1][2] && !tp.dist[2][1],
	       "A-B:D mirrored only where B-A is not given; unnamed pairs left to qemu");
	argv = pt_vm_topology_numa_argv(&tp, 3072);
	join(argv, buf, sizeof(buf));
	tap_ok(strstr(buf, "size=1024M -numa node,nodeid=2,cpus=2,memdev=m2") &&
	       strstr(buf, "dist,src=1,dst=0,val=16") && !strstr(buf, "src=1,dst=2"),
	       "one CPU per node, named alone; no dist for an unnamed pair: %s", buf);
	pt_vm_topology_argv_free(argv);
	tap_ok(pt_vm_topology_parse("2s2c2t", &tp, err, sizeof(err)) == 0, "parsed 2s2c2t");
	argv = pt_vm_topology_numa_argv(&tp, 2048);
	tap_ok(argv && !argv[0], "no nodes=: no -numa arguments");
	pt_vm_topology_argv_free(argv);

	/* memory: whole MiB per node */
	tap_ok(pt_vm_mem_mib("2G") == 2048 && pt_vm_mem_mib("1536M") == 1536 && pt_vm_mem_mib("512") == 512 &&
	       !pt_vm_mem_mib("-1G") && !pt_vm_mem_mib("2T") && !pt_vm_mem_mib(""), "--mem in MiB");
	tap_ok(pt_vm_topology_parse("2s1c1t,nodes=2", &tp, err, sizeof(err)) == 0 &&
	       pt_vm_topology_check_mem(&tp, "S", "2G", err, sizeof(err)) == 0, "2G splits into 2 nodes");
	tap_ok(pt_vm_topology_check_mem(&tp, "S", "1025M", err, sizeof(err)) == -1 &&
	       strstr(err, "nodes=2: --mem 1025M (1025 MiB) does not split into 2 nodes"), "1025M does not: %s", err);
	{
		json_object *o = pt_vm_topology_json(&tp, "2s1c1t,nodes=2", 2048);

		tap_ok(!strcmp(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			       "{\"spec\":\"2s1c1t,nodes=2\",\"sockets\":2,\"cores_per_socket\":1,"
			       "\"threads_per_core\":1,\"cpus\":2,\"nodes\":2,\"node_cpus\":[\"0\",\"1\"],"
			       "\"node_mem_mib\":1024,\"distances\":[[10,20],[20,10]]}"),
		       "vm.topology: %s", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	}
}

static char *dup(const char *s)
{
	return strcpy(malloc(strlen(s) + 1), s);
}

int main(void)
{
	struct pt_vm_channel ch;
	char *t;

	topology_tests();

	spec_ok("build/kernels/vmlinuz-6.1.0-50-cloud-amd64", "build/kernels/vmlinuz-6.1.0-50-cloud-amd64",
		"6.1.0-50-cloud-amd64");
	spec_ok("/boot/vmlinuz-6.12+x:deb-6.12", "/boot/vmlinuz-6.12+x", "deb-6.12");
	spec_ok("bzImage", "bzImage", "bzImage");
	spec_ok("/a:b/bzImage", "/a:b/bzImage", "bzImage");
	spec_bad(":lbl", "no image path");
	spec_bad("bzImage:", "empty label");
	spec_bad("bzImage:a b", "may hold only");
	spec_bad("bzImage:..", "starts with '.'");
	/* labels name directories: one check for every such name */
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

	/* a sweep: one block per point, all with the scenario's index; a point
	 * name names a file on the host, so only threads-N is taken */
	t = dup("@@PTBENCH-RESULT-BEGIN 0 0 threads-1@@\n{}\n@@PTBENCH-RESULT-END 0@@\n"
		"@@PTBENCH-RESULT-BEGIN 0 0 threads-16@@\n{}\n@@PTBENCH-RESULT-END 0@@\n"
		"@@PTBENCH-RESULT-BEGIN 0 0 ../x@@\n{}\n@@PTBENCH-RESULT-END 0@@\n"
		"@@PTBENCH-RESULT-BEGIN 0 0 threads-02@@\n{}\n@@PTBENCH-RESULT-END 0@@\n");
	pt_vm_parse_channel(t, &ch);
	tap_ok(ch.nresults == 4 && ch.results[0].complete && ch.results[1].complete && ch.results[0].index == 0 &&
	       ch.results[1].index == 0, "sweep points: a complete block each, the scenario's index");
	tap_ok(!strcmp(ch.results[0].point, "threads-1") && !strcmp(ch.results[1].point, "threads-16") &&
	       !ch.results[0].bad_point, "sweep points: the point names kept");
	tap_ok(ch.results[2].bad_point && ch.results[3].bad_point && !ch.results[2].point[0],
	       "a point name that is not threads-N (a path, a leading zero) is marked bad");
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
