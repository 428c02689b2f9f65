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

/* The user registers a task entered the kernel with (task_pt_regs()): the
 * tracepoint method of the per-VMA lock probe tells a page fault's own
 * mmap_lock from a system call's by them. x86 only, as is the
 * page_fault_user tracepoint that method hangs on. On x86 an exception or
 * interrupt entry sets orig_ax to -1; a system call leaves its number there. */
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long ip;
	unsigned long orig_ax;
	unsigned long ax; /* a function's return value, at a kretprobe */
} __core;
#define PT_REGS_FAULT_IP(r) ((r)->ip)
#define PT_REGS_IN_EXCEPTION(r) ((long)(r)->orig_ax == -1)
#define PT_REGS_RET(r) ((r)->ax)
#else
struct pt_regs {
	int __unused_placeholder;
} __core;
#define PT_REGS_FAULT_IP(r) ((void)(r), 0)
#define PT_REGS_IN_EXCEPTION(r) ((void)(r), 0)
#define PT_REGS_RET(r) ((void)(r), 0)
#endif

/* The record layout of the mmap_lock events: which of these two fields the
 * running kernel has tells which tracepoint prototype it has.
 *   <= ~6.14: TP_PROTO(mm, const char *memcg_path, bool write[, bool success])
 *   later:    TP_PROTO(mm, bool write[, bool success])   (record has memcg_id) */
struct trace_event_raw_mmap_lock {
	__u32 __data_loc_memcg_path;
	__u64 memcg_id;
} __core;

#endif
