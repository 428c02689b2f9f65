/* The op marker: which op a worker thread is in, and since when, kept where
 * the BPF programs read it without a system call. One slot per worker
 * thread of a run in a BPF_F_MMAPABLE array map that ptbench mmaps: the
 * thread writes its own slot with plain stores (pt_op_begin / pt_record in
 * worker.h), the programs read it (src/bpf/op_marker.bpf.h). Only
 * <linux/types.h> types, so the BPF target and the host read it alike. */
#ifndef PTBENCH_OP_MARKER_ABI_H
#define PTBENCH_OP_MARKER_ABI_H

#include <linux/types.h>

/* Slots in the array: worker threads of one run (more than that are not
 * marked; their lock events count in their role only). */
#define PT_OP_MARK_SLOTS 4096

struct pt_op_mark {
	/* the op id + 1 (worker type's ops[] index); 0: in no op. Written
	 * last by pt_op_begin, so a reader that sees it sees its since. */
	__u32 op;
	__u32 pad;
	/* when the op began: CLOCK_MONOTONIC ns (pt_now_ns(), which is what
	 * bpf_ktime_get_ns() reads) */
	__u64 since;
};

#endif
