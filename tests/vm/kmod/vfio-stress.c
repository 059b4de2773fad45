// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-stress SECONDS TYPEDIR GUARD UUID...: the kernel races of gvt_mdev,
 * on several vGPUs at once, for SECONDS.
 *
 * Each UUID is a running vGPU of TYPEDIR's type.  It gets a session (a
 * container and its group, shared) and WORKERS threads, each opening its
 * own device fd from the group and doing a random mix of what a VMM does:
 * BAR0 and config space reads and writes, the aperture mapped, written,
 * read back and unmapped, a device reset, SET_IRQS (eventfds set and
 * dropped, a count of 0 with data: refused), region and IRQ info, a second
 * device fd opened and closed.  A churn thread per vGPU removes it at
 * random moments while the workers still hold their fds (the remove waits
 * for them; they let go when they see it), creates it again with the same
 * UUID and opens a new session.  GUARD, another running vGPU, is held open
 * all along, so that rmmod of gvt_mdev and of gvt_base, tried meanwhile,
 * must be refused as busy.
 *
 * Every operation on an open fd must succeed; the few allowed errors are
 * the ones the table says.  The output is one "ok"/"FAIL" line per kind
 * of operation with its count, as the other VM checks print; the exit
 * status is the number of failed lines (at most 100).  The console scan
 * of the harness fails the run on any kernel warning it caused.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vfio-irq.h"

#define WORKERS		3
#define MAX_VGPUS	8
#define REGION_OFFSET(i)	((uint64_t)(i) << 40)
#define PVINFO_MAGIC_OFF	0x78000
#define PV_MAGIC		0x4776544776544776ULL
#define PV_MAPPABLE		(PVINFO_MAGIC_OFF + 0x40)	/* u32 base, u32 size */
#define SCRATCH_OFF		0x2100	/* a plain register of the model */

enum op {
	OP_BAR0, OP_CONFIG, OP_MMAP, OP_RESET, OP_IRQ, OP_IRQ_EMPTY, OP_INFO, OP_REOPEN,
	OP_OPEN, OP_REMOVE, OP_CREATE, OP_RMMOD, N_OPS,
};
static const char *const op_names[N_OPS] = {
	[OP_BAR0] = "BAR0 read/write (PVINFO magic read back)",
	[OP_CONFIG] = "config space read/write (vendor 8086)",
	[OP_MMAP] = "aperture mmap, write, read back, munmap",
	[OP_RESET] = "VFIO_DEVICE_RESET",
	[OP_IRQ] = "SET_IRQS eventfd set and dropped (MSI, INTx, request)",
	[OP_IRQ_EMPTY] = "SET_IRQS count 0 with data refused (EINVAL)",
	[OP_INFO] = "GET_REGION_INFO / GET_IRQ_INFO",
	[OP_REOPEN] = "a second device fd opened and closed",
	[OP_OPEN] = "device fd opened from the shared group",
	[OP_REMOVE] = "remove while the workers hold the vGPU",
	[OP_CREATE] = "create again, new session",
	[OP_RMMOD] = "rmmod gvt_mdev / gvt_base while busy: refused",
};

static atomic_long done[N_OPS], failed[N_OPS];
static atomic_bool stop;
static const char *typedir;

struct vgpu {
	char uuid[40];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool up;		/* session open: workers may take device fds */
	atomic_bool removing;	/* workers drop their fds */
	int container, group;
	uint64_t aperture_off, aperture_size;
	pthread_t churn, workers[WORKERS];
};

struct worker {
	struct vgpu *v;
	unsigned int index, seed;
};

static void count(enum op op, bool ok, int err)
{
	atomic_fetch_add(ok ? &done[op] : &failed[op], 1);
	if (!ok && atomic_load(&failed[op]) <= 3)
		fprintf(stderr, "vfio-stress: %s: %s\n", op_names[op], strerror(err));
}

static int sysfs_put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, val, strlen(val)) < 0)
		err = errno;
	close(fd);
	return err;
}

/* Container, group and the aperture's place; 0 or an errno. */
static int session_open(struct vgpu *v)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = VFIO_PCI_BAR2_REGION_INDEX };
	char path[PATH_MAX], link[PATH_MAX];
	uint32_t slice[2] = { 0, 0 };	/* base, size */
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", v->uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return errno;
	link[n] = 0;
	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->container < 0 || v->group < 0 ||
	    ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) ||
	    ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return errno;
	fd = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, v->uuid);
	if (fd < 0)
		return errno;
	/* Only the vGPU's slice maps: PVINFO's mappable range, in region offsets. */
	errno = 0;
	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &info) || !(info.flags & VFIO_REGION_INFO_FLAG_MMAP) ||
	    pread(fd, slice, sizeof(slice), REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX) + PV_MAPPABLE) !=
		    sizeof(slice) || slice[1] < 4096)
		err = errno ? errno : EINVAL;
	v->aperture_off = info.offset + slice[0];
	v->aperture_size = slice[1];
	close(fd);
	return err;
}

static void session_close(struct vgpu *v)
{
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	v->group = v->container = -1;
}

static bool op_bar0(int fd, unsigned int index)
{
	uint64_t magic = 0;
	uint32_t val = index;

	return pwrite(fd, &val, 4, REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX) + SCRATCH_OFF) == 4 &&
	       pread(fd, &val, 4, REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX) + SCRATCH_OFF) == 4 &&
	       pread(fd, &magic, 8, REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX) + PVINFO_MAGIC_OFF) == 8 &&
	       magic == PV_MAGIC;
}

static bool op_config(int fd)
{
	const uint64_t cfg = REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX);
	uint16_t vendor = 0, command = 0;

	return pread(fd, &vendor, 2, cfg) == 2 && vendor == 0x8086 &&
	       pread(fd, &command, 2, cfg + 4) == 2 && pwrite(fd, &command, 2, cfg + 4) == 2;
}

static bool op_mmap(int fd, const struct vgpu *v, struct worker *w)
{
	uint64_t pages = v->aperture_size / 4096, page = rand_r(&w->seed) % (pages ? pages : 1);
	volatile uint32_t *p;
	uint32_t word = rand_r(&w->seed);
	bool ok;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, v->aperture_off + page * 4096);
	if (p == MAP_FAILED)
		return false;
	p[w->index] = word;
	ok = p[w->index] == word;
	return !munmap((void *)p, 4096) && ok;
}

static bool op_irq(int fd, struct worker *w)
{
	static const unsigned int indexes[] = {
		VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX, VFIO_PCI_REQ_IRQ_INDEX,
	};
	unsigned int index = indexes[rand_r(&w->seed) % 3];
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	bool ok;

	if (efd < 0)
		return false;
	ok = !vfio_irq_set(fd, index, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, 1, efd) &&
	     !vfio_irq_set(fd, index, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 0, -1);
	close(efd);
	return ok;
}

static bool op_irq_empty(int fd, struct worker *w)
{
	uint32_t data = rand_r(&w->seed) % 2 ? VFIO_IRQ_SET_DATA_BOOL : VFIO_IRQ_SET_DATA_EVENTFD;
	uint32_t action = (uint32_t[]){ VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK,
					VFIO_IRQ_SET_ACTION_TRIGGER }[rand_r(&w->seed) % 3];
	struct vfio_irq_set set = {
		.argsz = sizeof(set), .flags = data | action, .index = VFIO_PCI_INTX_IRQ_INDEX,
	};

	return ioctl(fd, VFIO_DEVICE_SET_IRQS, &set) < 0 && errno == EINVAL;
}

static bool op_info(int fd)
{
	struct vfio_region_info r = { .argsz = sizeof(r), .index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_irq_info i = { .argsz = sizeof(i), .index = VFIO_PCI_MSI_IRQ_INDEX };

	return !ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &r) && r.size &&
	       !ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &i) && i.count == 1;
}

/* A device fd from the session while it is up, else -1. */
static int take_fd(struct vgpu *v)
{
	int fd = -1;

	pthread_mutex_lock(&v->lock);
	while (!v->up && !atomic_load(&stop))
		pthread_cond_wait(&v->cond, &v->lock);
	if (v->up) {
		fd = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, v->uuid);
		count(OP_OPEN, fd >= 0, errno);
	}
	pthread_mutex_unlock(&v->lock);
	return fd;
}

static void op_reopen(struct vgpu *v)
{
	int fd = -1, err = 0;

	pthread_mutex_lock(&v->lock);
	if (v->up) {
		fd = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, v->uuid);
		err = errno;
	}
	pthread_mutex_unlock(&v->lock);
	if (fd >= 0 || err)
		count(OP_REOPEN, fd >= 0 && !close(fd), err);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct vgpu *v = w->v;
	int fd, n;
	bool ok;

	while (!atomic_load(&stop)) {
		fd = take_fd(v);
		if (fd < 0)
			continue;
		for (n = rand_r(&w->seed) % 200; n > 0 && !atomic_load(&v->removing) && !atomic_load(&stop); n--) {
			enum op op = rand_r(&w->seed) % (OP_REOPEN + 1);

			errno = 0;
			switch (op) {
			case OP_BAR0: ok = op_bar0(fd, w->index); break;
			case OP_CONFIG: ok = op_config(fd); break;
			case OP_MMAP: ok = op_mmap(fd, v, w); break;
			case OP_RESET: ok = !ioctl(fd, VFIO_DEVICE_RESET); break;
			case OP_IRQ: ok = op_irq(fd, w); break;
			case OP_IRQ_EMPTY: ok = op_irq_empty(fd, w); break;
			case OP_INFO: ok = op_info(fd); break;
			default: op_reopen(v); continue;
			}
			count(op, ok, errno);
		}
		close(fd);
	}
	return NULL;
}

static void pause_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void *churn_main(void *arg)
{
	struct vgpu *v = arg;
	unsigned int seed = (uintptr_t)v;
	char path[PATH_MAX];
	int err;

	while (!atomic_load(&stop)) {
		pause_ms(100 + rand_r(&seed) % 500);
		pthread_mutex_lock(&v->lock);
		v->up = false;
		session_close(v);
		pthread_mutex_unlock(&v->lock);
		/* The workers may hold fds: the remove waits until they see this. */
		atomic_store(&v->removing, true);
		snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", v->uuid);
		err = sysfs_put(path, "1");
		count(OP_REMOVE, !err, err);
		atomic_store(&v->removing, false);
		snprintf(path, sizeof(path), "%s/create", typedir);
		err = sysfs_put(path, v->uuid);
		if (!err)
			err = session_open(v);
		count(OP_CREATE, !err, err);
		if (err) {
			session_close(v);
			atomic_store(&stop, true);
		}
		pthread_mutex_lock(&v->lock);
		v->up = !err;
		pthread_cond_broadcast(&v->cond);
		pthread_mutex_unlock(&v->lock);
	}
	pthread_mutex_lock(&v->lock);
	pthread_cond_broadcast(&v->cond);
	pthread_mutex_unlock(&v->lock);
	return NULL;
}

static void try_rmmod(const char *name)
{
	long r = syscall(SYS_delete_module, name, O_NONBLOCK);

	if (!r) {
		fprintf(stderr, "vfio-stress: %s was unloaded while busy\n", name);
		atomic_store(&stop, true);
	}
	count(OP_RMMOD, r < 0 && (errno == EWOULDBLOCK || errno == EBUSY), r ? errno : 0);
}

int main(int argc, char **argv)
{
	static struct vgpu vgpus[MAX_VGPUS];
	static struct worker workers[MAX_VGPUS][WORKERS];
	struct vgpu guard = { .container = -1, .group = -1 };
	int guard_fd, n, i, j, fails = 0, err;
	time_t end;

	if (argc < 5 || argc - 4 > MAX_VGPUS || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: vfio-stress SECONDS TYPEDIR GUARD UUID... (1 to %d UUIDs)\n", MAX_VGPUS);
		return 100;
	}
	end = time(NULL) + atoi(argv[1]);
	typedir = argv[2];
	snprintf(guard.uuid, sizeof(guard.uuid), "%s", argv[3]);
	err = session_open(&guard);
	guard_fd = err ? -1 : ioctl(guard.group, VFIO_GROUP_GET_DEVICE_FD, guard.uuid);
	if (guard_fd < 0) {
		fprintf(stderr, "vfio-stress: cannot hold %s open: %s\n", guard.uuid, strerror(err ? err : errno));
		return 100;
	}
	n = argc - 4;
	for (i = 0; i < n; i++) {
		struct vgpu *v = &vgpus[i];

		snprintf(v->uuid, sizeof(v->uuid), "%s", argv[4 + i]);
		pthread_mutex_init(&v->lock, NULL);
		pthread_cond_init(&v->cond, NULL);
		v->container = v->group = -1;
		err = session_open(v);
		if (err) {
			fprintf(stderr, "vfio-stress: %s: %s\n", v->uuid, strerror(err));
			return 100;
		}
		v->up = true;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < WORKERS; j++) {
			workers[i][j] = (struct worker){ .v = &vgpus[i], .index = j, .seed = i * WORKERS + j + 1 };
			pthread_create(&vgpus[i].workers[j], NULL, worker_main, &workers[i][j]);
		}
		pthread_create(&vgpus[i].churn, NULL, churn_main, &vgpus[i]);
	}
	while (!atomic_load(&stop) && time(NULL) < end) {
		try_rmmod("gvt_mdev");
		try_rmmod("gvt_base");
		pause_ms(100);
	}
	atomic_store(&stop, true);
	for (i = 0; i < n; i++) {
		pthread_join(vgpus[i].churn, NULL);
		for (j = 0; j < WORKERS; j++)
			pthread_join(vgpus[i].workers[j], NULL);
		session_close(&vgpus[i]);
	}
	close(guard_fd);
	session_close(&guard);

	for (i = 0; i < N_OPS; i++) {
		long ok = atomic_load(&done[i]), bad = atomic_load(&failed[i]);
		/* Every kind must have run, and nothing failed. */
		bool pass = ok > 0 && bad == 0;

		printf("%s - stress: %s: %ld ok, %ld failed\n", pass ? "ok  " : "FAIL", op_names[i], ok, bad);
		fails += !pass;
	}
	return fails;
}
