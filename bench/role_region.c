/* Ranges lent between roles of one process (role_region.h). A handful of
 * entries at most; a mutex because thread_init runs in the worker threads. */
#include <pthread.h>
#include <string.h>

#include "role_region.h"

enum { PT_ROLE_REGIONS = 16 };

static struct {
	char role[64];
	char *base;
	size_t len;
} regions[PT_ROLE_REGIONS];
static pthread_mutex_t regions_lock = PTHREAD_MUTEX_INITIALIZER;

int pt_role_region_publish(const char *role, char *base, size_t len)
{
	int rc = -1;

	if (strlen(role) >= sizeof(regions[0].role))
		return -1;
	pthread_mutex_lock(&regions_lock);
	for (size_t i = 0; i < PT_ROLE_REGIONS; i++) {
		if (regions[i].base)
			continue;
		strcpy(regions[i].role, role);
		regions[i].base = base;
		regions[i].len = len;
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&regions_lock);
	return rc;
}

void pt_role_region_withdraw(const char *role)
{
	pthread_mutex_lock(&regions_lock);
	for (size_t i = 0; i < PT_ROLE_REGIONS; i++)
		if (regions[i].base && !strcmp(regions[i].role, role))
			regions[i].base = NULL;
	pthread_mutex_unlock(&regions_lock);
}

bool pt_role_region_find(const char *role, char **base, size_t *len)
{
	bool found = false;

	pthread_mutex_lock(&regions_lock);
	for (size_t i = 0; i < PT_ROLE_REGIONS && !found; i++) {
		if (regions[i].base && !strcmp(regions[i].role, role)) {
			*base = regions[i].base;
			*len = regions[i].len;
			found = true;
		}
	}
	pthread_mutex_unlock(&regions_lock);
	return found;
}
