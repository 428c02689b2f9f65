/* CPU identity with libcpuid. libcpuid picks a codename by scoring every
 * entry of its table against the CPU and taking the best, so a model newer
 * than the table still gets a name: the nearest older part. To tell a real
 * match from a nearest one, identify twice, the second time with the
 * extended-model bits changed, and compare the winning entry's scores (from
 * libcpuid's own debug output): only an entry that names this exact extended
 * model loses score when the model changes. */
#include <json-c/json.h>
#include <libcpuid/libcpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptbench/cpuid.h"

#define MAX_ENTRIES 4096

/* scores of the last matcher pass libcpuid printed */
static int entry_score[MAX_ENTRIES];
static int nentries;

static void capture(const char *msg)
{
	int idx, score;
	const char *tick;

	if (!strncmp(msg, "Matching cpu", 12)) {
		nentries = 0;
		return;
	}
	/* "Entry %d, `%s', score %d\n" */
	if (sscanf(msg, "Entry %d,", &idx) != 1 || !(tick = strrchr(msg, '\'')) ||
	    sscanf(tick, "', score %d", &score) != 1 || idx < 0 || idx >= MAX_ENTRIES)
		return;
	entry_score[idx] = score;
	if (idx + 1 > nentries)
		nentries = idx + 1;
}

/* Identify with the matcher's scores captured; returns the winning entry's
 * index (the first with the best score, as libcpuid picks), or -1. */
static int identify_scored(struct cpu_raw_data_t *raw, struct cpu_id_t *id, int *best_score)
{
	libcpuid_warn_fn_t old = cpuid_set_warn_function(capture);
	int best = -1, rc;

	nentries = 0;
	cpuid_set_verbosiness_level(3);
	rc = cpu_identify(raw, id);
	cpuid_set_verbosiness_level(0);
	cpuid_set_warn_function(old);
	if (rc)
		return -1;
	for (int i = 0; i < nentries; i++)
		if (best < 0 || entry_score[i] > entry_score[best])
			best = i;
	if (best >= 0)
		*best_score = entry_score[best];
	return best;
}

/* "exact", "nearest" or "unchecked" (libcpuid printed no scores). */
static const char *codename_match(struct cpu_raw_data_t *raw, struct cpu_id_t *id)
{
	struct cpu_raw_data_t edited = *raw;
	struct cpu_id_t other;
	int score, winner = identify_scored(raw, id, &score), s2, w2;

	if (winner < 0)
		return "unchecked";
	/* CPUID.1:EAX bits 19:16 are the extended model */
	edited.basic_cpuid[1][EAX] ^= 0x8u << 16;
	w2 = identify_scored(&edited, &other, &s2);
	if (w2 < 0 || nentries <= winner)
		return "unchecked";
	return entry_score[winner] < score - 1 ? "exact" : "nearest";
}

static const char *hypervisor_name(hypervisor_vendor_t h)
{
	switch (h) {
	case HYPERVISOR_NONE: return "none";
	case HYPERVISOR_BHYVE: return "bhyve";
	case HYPERVISOR_HYPERV: return "hyperv";
	case HYPERVISOR_KVM: return "kvm";
	case HYPERVISOR_PARALLELS: return "parallels";
	case HYPERVISOR_QEMU: return "qemu";
	case HYPERVISOR_VIRTUALBOX: return "virtualbox";
	case HYPERVISOR_VMWARE: return "vmware";
	case HYPERVISOR_XEN: return "xen";
	default: return "unknown";
	}
}

static void add_int(struct json_object *o, const char *key, int v)
{
	/* libcpuid says -1 for "not reported" */
	if (v >= 0)
		json_object_object_add(o, key, json_object_new_int(v));
}

struct json_object *pt_cpuid_json_from_raw(struct cpu_raw_data_t *raw)
{
	struct json_object *o = json_object_new_object();
	struct cpu_id_t id;
	const char *match;

	memset(&id, 0, sizeof(id));
	match = codename_match(raw, &id);
	if (!strcmp(match, "unchecked") && cpu_identify(raw, &id)) {
		json_object_object_add(o, "available", json_object_new_boolean(0));
		json_object_object_add(o, "why", json_object_new_string(cpuid_error()));
		return o;
	}
	json_object_object_add(o, "available", json_object_new_boolean(1));
	json_object_object_add(o, "vendor", json_object_new_string(id.vendor_str));
	json_object_object_add(o, "brand", json_object_new_string(id.brand_str));
	/* the extended family/model are what identify modern parts (25/17 = Zen 4) */
	json_object_object_add(o, "family", json_object_new_int(id.ext_family));
	json_object_object_add(o, "model", json_object_new_int(id.ext_model));
	json_object_object_add(o, "stepping", json_object_new_int(id.stepping));
	json_object_object_add(o, "base_family", json_object_new_int(id.family));
	json_object_object_add(o, "base_model", json_object_new_int(id.model));
	if (!strcmp(match, "exact") && !strstr(id.cpu_codename, "Unknown")) {
		json_object_object_add(o, "codename", json_object_new_string(id.cpu_codename));
	} else {
		json_object_object_add(o, "codename", json_object_new_string("not known to libcpuid"));
		/* kept for whoever debugs libcpuid; never shown as this CPU's name */
		json_object_object_add(o, "libcpuid_nearest", json_object_new_string(id.cpu_codename));
	}
	json_object_object_add(o, "codename_match", json_object_new_string(match));
	json_object_object_add(o, "libcpuid_version", json_object_new_string(cpuid_lib_version()));
	add_int(o, "cores_per_package", id.num_cores);
	add_int(o, "logical_per_package", id.num_logical_cpus);
	add_int(o, "l1d_kib", id.l1_data_cache);
	add_int(o, "l1i_kib", id.l1_instruction_cache);
	add_int(o, "l2_kib", id.l2_cache);
	add_int(o, "l3_kib", id.l3_cache);
	add_int(o, "l1d_assoc", id.l1_data_assoc);
	add_int(o, "l2_assoc", id.l2_assoc);
	add_int(o, "l3_assoc", id.l3_assoc);
	add_int(o, "cacheline", id.l1_data_cacheline);
	json_object_object_add(o, "hypervisor",
			       json_object_new_string(hypervisor_name(cpuid_get_hypervisor(raw, &id))));
	return o;
}

struct json_object *pt_cpuid_json(void)
{
	struct cpu_raw_data_t raw;

	if (!cpuid_present() || cpuid_get_raw_data(&raw)) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "available", json_object_new_boolean(0));
		json_object_object_add(o, "why", json_object_new_string(cpuid_present() ? cpuid_error()
											   : "no CPUID instruction"));
		return o;
	}
	return pt_cpuid_json_from_raw(&raw);
}
