/* Kernel addresses to function names, from /proc/kallsyms (the running
 * kernel's, in a guest too), for the tail probe's stacks. */
#ifndef PTBENCH_KSYMS_H
#define PTBENCH_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct pt_ksyms;

/* Load the text symbols of path (NULL: /proc/kallsyms). NULL with why when
 * the file cannot be read, has no text symbols, or shows every address as 0
 * (kptr_restrict, or a reader without CAP_SYSLOG). */
struct pt_ksyms *pt_ksyms_load(const char *path, char *why, size_t len);
void pt_ksyms_free(struct pt_ksyms *k);
/* The function holding addr ("name" or "name [module]"), or NULL when no
 * symbol starts at or below it. */
const char *pt_ksyms_name(const struct pt_ksyms *k, uint64_t addr);

#endif
