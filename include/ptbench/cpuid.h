/* CPU identity from libcpuid: vendor, brand, extended family/model,
 * stepping, caches, hypervisor, and a codename only when libcpuid's table
 * really has this model (its matcher otherwise returns the nearest entry,
 * e.g. "EPYC (Milan)" for a Genoa part). */
#ifndef PTBENCH_CPUID_H
#define PTBENCH_CPUID_H

struct json_object;
struct cpu_raw_data_t;

/* The "cpu" object of the result for this machine. */
struct json_object *pt_cpuid_json(void);
/* The same from raw CPUID data (the tests feed it edited dumps). */
struct json_object *pt_cpuid_json_from_raw(struct cpu_raw_data_t *raw);

#endif
