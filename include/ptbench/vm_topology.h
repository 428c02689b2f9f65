/* ptbench vm --topology SPEC: a guest's sockets, cores, threads and NUMA
 * nodes in one readable spec, and the qemu arguments that build it
 * (doc/design.md: the kernel matrix). Pure functions: tests/unit/test_vm.c
 * tests the parser and the argument builder without qemu.
 *
 * SPEC: SsCcTt[,nodes=N][,dist=D | ,dist=A-B:D[,A-B:D...]]
 *   2s2c2t            2 sockets x 2 cores x 2 threads = 8 vCPUs, no NUMA
 *   2s2c2t,nodes=2    the same on 2 nodes: memory split evenly, CPUs by
 *                     socket (node n holds the n-th contiguous run of CPUs)
 *   ...,dist=30       every remote distance 30 (local is 10; qemu's default
 *                     remote distance is 20)
 *   ...,dist=0-1:15,0-2:30   per pair; B-A gets A-B's unless given itself */
#ifndef PTBENCH_VM_TOPOLOGY_H
#define PTBENCH_VM_TOPOLOGY_H

#include <stddef.h>

#include <json-c/json.h>

#define PT_VM_TOPO_MAX_SOCKETS 16
#define PT_VM_TOPO_MAX_CORES 64
#define PT_VM_TOPO_MAX_THREADS 8
#define PT_VM_TOPO_MAX_CPUS 256	/* as --cpus */
#define PT_VM_TOPO_MAX_NODES 16

struct pt_vm_topology {
	int sockets, cores, threads;	/* cores per socket, threads per core */
	int nodes;			/* 0: no ,nodes= (no -numa arguments) */
	/* dist[a][b]: 0 where the spec says nothing (qemu's default) */
	unsigned char dist[PT_VM_TOPO_MAX_NODES][PT_VM_TOPO_MAX_NODES];
};

/* Parse SPEC into t. Returns 0, or -1 with a message naming the bad part in
 * err, e.g. "--topology '2s0c1t': cores must be 1..64". */
int pt_vm_topology_parse(const char *spec, struct pt_vm_topology *t, char *err, size_t errlen);
/* sockets * cores * threads */
int pt_vm_topology_cpus(const struct pt_vm_topology *t);
/* Node n's CPUs, first..last (contiguous: qemu numbers x86 vCPUs socket by
 * socket, core by core, thread by thread). */
void pt_vm_topology_node_cpus(const struct pt_vm_topology *t, int n, int *first, int *last);
/* A --mem value (2G, 1536M, or MiB without a suffix, as qemu's -m) in MiB;
 * 0 when it is not one. */
unsigned long long pt_vm_mem_mib(const char *mem);
/* Does mem_mib split into t's nodes as whole MiB? 0, or -1 with a message. */
int pt_vm_topology_check_mem(const struct pt_vm_topology *t, const char *spec, const char *mem,
			     char *err, size_t errlen);
/* qemu's -smp value: "cpus=8,sockets=2,cores=2,threads=2" */
void pt_vm_topology_smp(const struct pt_vm_topology *t, char *buf, size_t len);
/* The -object memory-backend-ram, -numa node and -numa dist arguments for
 * mem_mib of guest memory (check_mem passed), NULL-terminated, each string
 * and the array allocated (pt_vm_topology_argv_free). No nodes: just NULL. */
char **pt_vm_topology_numa_argv(const struct pt_vm_topology *t, unsigned long long mem_mib);
void pt_vm_topology_argv_free(char **argv);
/* What the result's vm.topology records: the spec and what it made. */
json_object *pt_vm_topology_json(const struct pt_vm_topology *t, const char *spec,
				 unsigned long long mem_mib);

#endif
