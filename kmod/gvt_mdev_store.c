// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: memory given out a page at a time, on the first write or fault.
 *
 * A vGPU's aperture slice is 64-512 MiB and its GTT 8 MiB; a guest touches
 * little of either, and a test VM has 1 GiB.  Pages never written read as 0
 * and cost nothing.  A page, once there, stays until the store is cleared:
 * a mapping of it may be live in userspace (the aperture's mmap).
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include "gvt_mdev.h"

void gvt_mdev_store_init(struct gvt_mdev_store *s, u64 size)
{
	xa_init(&s->pages);
	s->size = size;
}

/* The page at index, allocated if need be; NULL when memory runs out. */
struct page *gvt_mdev_store_page(struct gvt_mdev_store *s, pgoff_t index)
{
	struct page *page, *old;

	page = xa_load(&s->pages, index);
	if (page)
		return page;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return NULL;
	/* A racing fault or write may have put one there first. */
	old = xa_cmpxchg(&s->pages, index, NULL, page, GFP_KERNEL);
	if (!old)
		return page;
	__free_page(page);
	return xa_is_err(old) ? NULL : old;
}

/* Copy len bytes at off; the caller checked the range against s->size. */
int gvt_mdev_store_rw(struct gvt_mdev_store *s, u64 off, void *buf, size_t len, bool write)
{
	struct page *page;
	size_t in, n;

	while (len) {
		in = offset_in_page(off);
		n = min_t(size_t, len, PAGE_SIZE - in);
		if (write) {
			page = gvt_mdev_store_page(s, off >> PAGE_SHIFT);
			if (!page)
				return -ENOMEM;
			memcpy(page_address(page) + in, buf, n);
		} else {
			page = xa_load(&s->pages, off >> PAGE_SHIFT);
			if (page)
				memcpy(buf, page_address(page) + in, n);
			else
				memset(buf, 0, n);
		}
		off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Drop every page; a page still mapped lives on until it is unmapped. */
void gvt_mdev_store_clear(struct gvt_mdev_store *s)
{
	struct page *page;
	unsigned long index;

	xa_for_each(&s->pages, index, page)
		put_page(page);
	xa_destroy(&s->pages);
}
