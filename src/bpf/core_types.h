/* The few kernel types the BPF programs touch, declared by hand with
 * preserve_access_index: libbpf relocates every access against the running
 * kernel's BTF at load time (CO-RE), so the object built here loads on any
 * kernel with BTF, whatever kernel the build machine runs (a vmlinux.h dumped
 * from the build machine would tie the build to that machine's kernel and
 * pull ~100k lines of declarations in for five fields). */
#ifndef PTBENCH_BPF_CORE_TYPES_H
#define PTBENCH_BPF_CORE_TYPES_H

#include <linux/types.h>

#define __core __attribute__((preserve_access_index))

struct mm_struct {
	int __unused_placeholder; /* never read: the pointer is an identity only */
} __core;

struct task_struct {
	int pid;
	int tgid;
	struct mm_struct *mm;
} __core;

struct vm_area_struct {
	struct mm_struct *vm_mm;
} __core;

/* The record layout of the mmap_lock events: which of these two fields the
 * running kernel has tells which tracepoint prototype it has.
 *   <= ~6.14: TP_PROTO(mm, const char *memcg_path, bool write[, bool success])
 *   later:    TP_PROTO(mm, bool write[, bool success])   (record has memcg_id) */
struct trace_event_raw_mmap_lock {
	__u32 __data_loc_memcg_path;
	__u64 memcg_id;
} __core;

#endif
