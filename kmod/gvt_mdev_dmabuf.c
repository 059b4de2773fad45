// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: the display's dma-bufs, VFIO_DEVICE_GET_GFX_DMABUF.
 *
 * Each framebuffer QUERY_GFX_PLANE reports gets an id; the same framebuffer
 * (address, format, modifier, sizes, stride) keeps its id, another gets a
 * new one.  The vGPU remembers the GVT_MDEV_DMABUF_IDS framebuffers used
 * most recently (a guest flipping between two or three buffers keeps
 * their ids); older ids are forgotten, as are all of them when the device
 * is closed, and an unknown id is -EINVAL, as in kvmgt.
 *
 * GET_GFX_DMABUF exports a new dma-buf for an id.  It holds its own
 * reference to each page of the framebuffer, taken from the aperture
 * store, and nothing of the vGPU: it outlives the device fd and the vGPU,
 * and shows what the guest writes to those pages later, as scanout memory
 * would.  It is read-only (kvmgt's object is too): importers map it for
 * DMA, userspace can mmap it with PROT_READ.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "gvt_mdev.h"

MODULE_IMPORT_NS(DMA_BUF);

#define GVT_MDEV_DMABUF_IDS		16

/* A framebuffer with an id, in vgpu->dmabufs.fbs, under vgpu->lock. */
struct gvt_mdev_dmabuf_fb {
	struct list_head node;
	struct gvt_mdev_fb fb;
	u32 id;
};

/* One exported dma-buf: the pages it holds. */
struct gvt_mdev_dmabuf {
	struct page **pages;
	pgoff_t nr_pages;
};

void gvt_mdev_dmabuf_init(struct gvt_mdev_vgpu *vgpu)
{
	INIT_LIST_HEAD(&vgpu->dmabufs.fbs);
	vgpu->dmabufs.nr = 0;
	vgpu->dmabufs.next_id = 1;
}

/* Where the cursor is and its hot spot are not the buffer. */
static bool gvt_mdev_dmabuf_same(const struct gvt_mdev_fb *a, const struct gvt_mdev_fb *b)
{
	return a->start == b->start && a->drm_format == b->drm_format &&
	       a->drm_format_mod == b->drm_format_mod && a->width == b->width &&
	       a->height == b->height && a->stride == b->stride && a->size == b->size;
}

/* The id of fb, a new one if it has none; -ENOMEM. */
int gvt_mdev_dmabuf_id(struct gvt_mdev_vgpu *vgpu, const struct gvt_mdev_fb *fb)
{
	struct gvt_mdev_dmabufs *d = &vgpu->dmabufs;
	struct gvt_mdev_dmabuf_fb *e;

	lockdep_assert_held(&vgpu->lock);
	list_for_each_entry(e, &d->fbs, node) {
		if (gvt_mdev_dmabuf_same(&e->fb, fb)) {
			list_move(&e->node, &d->fbs);
			return e->id;
		}
	}
	if (d->nr == GVT_MDEV_DMABUF_IDS) {
		e = list_last_entry(&d->fbs, struct gvt_mdev_dmabuf_fb, node);
		list_del(&e->node);
		d->nr--;
	} else {
		e = kmalloc(sizeof(*e), GFP_KERNEL);
		if (!e)
			return -ENOMEM;
	}
	e->fb = *fb;
	e->id = d->next_id;
	/* 0 is "no plane"; ids stay below INT_MAX to be returned as int. */
	d->next_id = d->next_id == INT_MAX ? 1 : d->next_id + 1;
	list_add(&e->node, &d->fbs);
	d->nr++;
	return e->id;
}

/* Close: the ids go, exported dma-bufs stay. */
void gvt_mdev_dmabuf_forget(struct gvt_mdev_vgpu *vgpu)
{
	struct gvt_mdev_dmabuf_fb *e, *tmp;

	lockdep_assert_held(&vgpu->lock);
	list_for_each_entry_safe(e, tmp, &vgpu->dmabufs.fbs, node) {
		list_del(&e->node);
		kfree(e);
	}
	vgpu->dmabufs.nr = 0;
}

static struct sg_table *gvt_mdev_dmabuf_map(struct dma_buf_attachment *at,
					    enum dma_data_direction dir)
{
	struct gvt_mdev_dmabuf *buf = at->dmabuf->priv;
	struct sg_table *sgt;
	int ret;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table_from_pages(sgt, buf->pages, buf->nr_pages, 0,
					buf->nr_pages << PAGE_SHIFT, GFP_KERNEL);
	if (ret)
		goto err_free;
	ret = dma_map_sgtable(at->dev, sgt, dir, 0);
	if (ret)
		goto err_table;
	return sgt;

err_table:
	sg_free_table(sgt);
err_free:
	kfree(sgt);
	return ERR_PTR(ret);
}

static void gvt_mdev_dmabuf_unmap(struct dma_buf_attachment *at, struct sg_table *sgt,
				  enum dma_data_direction dir)
{
	dma_unmap_sgtable(at->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static void gvt_mdev_dmabuf_put_pages(struct gvt_mdev_dmabuf *buf, pgoff_t n)
{
	while (n)
		put_page(buf->pages[--n]);
	kvfree(buf->pages);
	kfree(buf);
}

static void gvt_mdev_dmabuf_release(struct dma_buf *dmabuf)
{
	struct gvt_mdev_dmabuf *buf = dmabuf->priv;

	gvt_mdev_dmabuf_put_pages(buf, buf->nr_pages);
}

static vm_fault_t gvt_mdev_dmabuf_fault(struct vm_fault *vmf)
{
	struct gvt_mdev_dmabuf *buf = vmf->vma->vm_private_data;

	if (vmf->pgoff >= buf->nr_pages)
		return VM_FAULT_SIGBUS;
	vmf->page = buf->pages[vmf->pgoff];
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct gvt_mdev_dmabuf_vm_ops = {
	.fault = gvt_mdev_dmabuf_fault,
};

/*
 * The dma-buf's file is read-only, so the mm refuses a writable shared
 * mmap of it (-EACCES) before this is called, and clears VM_SHARED of a
 * read-only one: MAP_SHARED shows as VM_MAYSHARE.  An importer's mmap
 * (dma_buf_mmap) skips that check; it is refused here, as i915 refuses
 * writable mappings of kvmgt's read-only object.  The mapping holds the
 * file, hence the buffer and its pages.
 */
static int gvt_mdev_dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_MAYSHARE) || (vma->vm_flags & VM_WRITE))
		return -EINVAL;
	vma->vm_flags &= ~VM_MAYWRITE;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &gvt_mdev_dmabuf_vm_ops;
	vma->vm_private_data = dmabuf->priv;
	return 0;
}

static const struct dma_buf_ops gvt_mdev_dmabuf_ops = {
	.map_dma_buf = gvt_mdev_dmabuf_map,
	.unmap_dma_buf = gvt_mdev_dmabuf_unmap,
	.release = gvt_mdev_dmabuf_release,
	.mmap = gvt_mdev_dmabuf_mmap,
};

/* The framebuffer's pages, each with a reference of its own. */
static struct gvt_mdev_dmabuf *gvt_mdev_dmabuf_pages(struct gvt_mdev_vgpu *vgpu,
						     const struct gvt_mdev_fb *fb)
{
	pgoff_t first = (fb->start - vgpu->alloc.low_gm.base) >> PAGE_SHIFT, i;
	struct gvt_mdev_dmabuf *buf;
	struct page *page;

	lockdep_assert_held(&vgpu->lock);
	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;
	buf->nr_pages = DIV_ROUND_UP(fb->size, PAGE_SIZE);
	buf->pages = kvmalloc_array(buf->nr_pages, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages) {
		kfree(buf);
		return NULL;
	}
	for (i = 0; i < buf->nr_pages; i++) {
		page = gvt_mdev_store_page(&vgpu->aperture, first + i);
		if (!page) {
			gvt_mdev_dmabuf_put_pages(buf, i);
			return NULL;
		}
		get_page(page);
		buf->pages[i] = page;
	}
	return buf;
}

/* The id's framebuffer; the display checked it lies in the aperture slice. */
static struct gvt_mdev_dmabuf *gvt_mdev_dmabuf_lookup(struct gvt_mdev_vgpu *vgpu, u32 id)
{
	struct gvt_mdev_dmabuf_fb *e;

	lockdep_assert_held(&vgpu->lock);
	list_for_each_entry(e, &vgpu->dmabufs.fbs, node)
		if (e->id == id)
			return gvt_mdev_dmabuf_pages(vgpu, &e->fb) ?: ERR_PTR(-ENOMEM);
	return ERR_PTR(-EINVAL);
}

long gvt_mdev_dmabuf_get(struct gvt_mdev_vgpu *vgpu, void __user *arg)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp);
	struct gvt_mdev_dmabuf *buf;
	struct dma_buf *dmabuf;
	u32 id;
	int fd;

	if (get_user(id, (u32 __user *)arg))
		return -EFAULT;
	mutex_lock(&vgpu->lock);
	buf = gvt_mdev_dmabuf_lookup(vgpu, id);
	mutex_unlock(&vgpu->lock);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	exp.ops = &gvt_mdev_dmabuf_ops;
	exp.size = buf->nr_pages << PAGE_SHIFT;
	exp.flags = O_RDONLY;
	exp.priv = buf;
	dmabuf = dma_buf_export(&exp);
	if (IS_ERR(dmabuf)) {
		gvt_mdev_dmabuf_put_pages(buf, buf->nr_pages);
		return PTR_ERR(dmabuf);
	}
	fd = dma_buf_fd(dmabuf, O_CLOEXEC);
	if (fd < 0)
		dma_buf_put(dmabuf);	/* releases buf */
	return fd;
}
