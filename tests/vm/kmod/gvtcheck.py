#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Expected values for the kernel tests, computed without the modules' code.

Subcommands:
  types APERTURE_MB [TYPE...]   kvmgt's registered types and available_instances
                                after vGPUs of the given types (suffixes 8/4/2/1)
                                exist: one "GVTg_V5_<n> <available>" line each
  exhausted APERTURE_MB TYPE [TYPE...]
                                the resource kvmgt runs out of first when a vGPU of
                                the first TYPE is created while the others exist
  golden-check FILE VID DID RID check a golden_hw_state blob's header, sizes,
                                crc32 and identity; print what is wrong
  golden-edit IN OUT [flip OFF | set OFF HEXBYTES [reseal]]
                                copy a blob, flipping one byte or setting bytes
                                (then recomputing its crc32 if reseal)
  cfg-read UUID OFF LEN         read a vGPU's config space through VFIO, print hex
  region-read UUID INDEX OFF LEN
                                read any region of a vGPU through VFIO, print hex
  pvinfo APERTURE_MB TYPE [TYPE...]
                                the PVINFO fields of a vGPU of the first TYPE
                                created after vGPUs of the others, on a fresh GPU
                                (kvmgt's first fit from the host's reservations),
                                as tests/vm/guest/init prints them
"""
import fcntl
import os
import struct
import sys
import zlib

MIB = 1 << 20
# kvmgt's gvt/vgpu.c table: suffix, low_gm MiB, high_gm MiB, fences, weight, resolution
TYPES = [(8, 64, 384, 4, 2, "1024x768"), (4, 128, 512, 4, 4, "1920x1200"),
         (2, 256, 1024, 4, 8, "1920x1200"), (1, 512, 2048, 4, 16, "1920x1200")]
HOST_LOW, HOST_HIGH, HOST_FENCE = 128, 384, 4   # kvmgt's host reservations
GGTT_MB, FENCES = 4096, 32                       # Gen9
HEADER = struct.Struct("<QIIQQQQ")               # magic crc32 version cfg_size cfg_off mmio_size mmio_off
MAGIC = 0x4776544776544776
CFG_SIZE, MMIO_SIZE = 4096, 2 * MIB


def crc32_le0(data):
    """The kernel's crc32_le(0, data, len): reflected CRC-32 (poly 0xedb88320),
    seed 0, no final inversion.  zlib.crc32(data, v) computes
    ~raw(~v, data) for the raw, uninverted register update raw(seed, data); so
    with v = 0xffffffff the register starts at ~v = 0 and the result is
    ~raw(0, data): invert it once more to get raw(0, data)."""
    return zlib.crc32(data, 0xffffffff) ^ 0xffffffff


def crc32_le0_bitwise(data):
    """Bit by bit, straight from the definition; slow, used to check crc32_le0."""
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0xedb88320 if crc & 1 else 0)
    return crc


def type_row(name):
    suffix = int(str(name).rsplit("_", 1)[-1])
    return next(t for t in TYPES if t[0] == suffix)


def free_after(aperture, allocated):
    low = aperture - HOST_LOW - sum(type_row(t)[1] for t in allocated)
    high = GGTT_MB - aperture - HOST_HIGH - sum(type_row(t)[2] for t in allocated)
    fence = FENCES - HOST_FENCE - sum(type_row(t)[3] for t in allocated)
    return low, high, fence


def registered(aperture):
    out = []
    for t in TYPES:
        if (aperture - HOST_LOW) // t[1] == 0:
            break
        out.append(t)
    return out


def cmd_types(aperture, *allocated):
    low, high, fence = free_after(int(aperture), allocated)
    for t in registered(int(aperture)):
        print("GVTg_V5_%d %d" % (t[0], min(low // t[1], high // t[2], fence // t[3])))


def cmd_exhausted(aperture, new, *allocated):
    low, high, fence = free_after(int(aperture), allocated)
    t = type_row(new)
    for name, free, need in (("aperture (low GM)", low, t[1]),
                             ("hidden (high GM)", high, t[2]), ("fences", fence, t[3])):
        if free < need:
            print(name)
            return
    print("none")


def cmd_golden_check(path, vid, did, rid):
    data = open(path, "rb").read()
    errors = []
    if len(data) != HEADER.size + CFG_SIZE + MMIO_SIZE:
        errors.append("file size %d, expected %d" % (len(data), HEADER.size + CFG_SIZE + MMIO_SIZE))
    magic, crc, version, cfg_size, cfg_off, mmio_size, mmio_off = HEADER.unpack_from(data)
    want = {"magic": (magic, MAGIC), "version": (version, 0),
            "crc32": (crc, crc32_le0(data[12:])),
            "cfg_space_size": (cfg_size, CFG_SIZE), "cfg_space_offset": (cfg_off, 48),
            "mmio_size": (mmio_size, MMIO_SIZE), "mmio_offset": (mmio_off, 48 + CFG_SIZE)}
    for field, (got, exp) in want.items():
        if got != exp:
            errors.append("%s is %#x, expected %#x" % (field, got, exp))
    cfg = data[48:48 + CFG_SIZE]
    v, d = struct.unpack_from("<HH", cfg)
    for field, got, exp in (("vendor", v, vid), ("device", d, did), ("revision", cfg[8], rid)):
        if got != int(exp, 0):
            errors.append("%s is %#x, expected %s" % (field, got, exp))
    for e in errors:
        print(e)
    return 1 if errors else 0


def cmd_golden_edit(src, dst, op, off, hexbytes=None, reseal=None):
    data = bytearray(open(src, "rb").read())
    off = int(off, 0)
    if op == "flip":
        data[off] ^= 0xff
    else:
        new = bytes.fromhex(hexbytes)
        data[off:off + len(new)] = new
    if reseal:
        struct.pack_into("<I", data, 8, crc32_le0(bytes(data[12:])))
    open(dst, "wb").write(data)


# VFIO ioctls: _IO(';', 100 + n)
VFIO_SET_IOMMU = 0x3b66
VFIO_GROUP_SET_CONTAINER = 0x3b68
VFIO_GROUP_GET_DEVICE_FD = 0x3b6a
VFIO_TYPE1v2_IOMMU = 3
VFIO_PCI_CONFIG_REGION_INDEX = 7


def cmd_region_read(uuid, index, off, length):
    group = os.path.basename(os.readlink("/sys/bus/mdev/devices/%s/iommu_group" % uuid))
    container = os.open("/dev/vfio/vfio", os.O_RDWR)
    gfd = os.open("/dev/vfio/%s" % group, os.O_RDWR)
    fcntl.ioctl(gfd, VFIO_GROUP_SET_CONTAINER, bytearray(struct.pack("i", container)))
    fcntl.ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)
    # With a mutable buffer, ioctl() returns the call's result: the device fd.
    dfd = fcntl.ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, bytearray(uuid.encode() + b"\0"))
    data = os.pread(dfd, int(length, 0), (int(index, 0) << 40) + int(off, 0))
    print(data.hex())
    for fd in (dfd, gfd, container):
        os.close(fd)


def cmd_cfg_read(uuid, off, length):
    cmd_region_read(uuid, str(VFIO_PCI_CONFIG_REGION_INDEX), off, length)


def cmd_pvinfo(aperture, new, *before):
    # First fit on a fresh GPU: each vGPU's ranges follow the previous ones'.
    low = HOST_LOW + sum(type_row(t)[1] for t in before)
    high = int(aperture) + HOST_HIGH + sum(type_row(t)[2] for t in before)
    fence = HOST_FENCE + sum(type_row(t)[3] for t in before)
    row = type_row(new)
    assert low + row[1] <= int(aperture) and high + row[2] <= GGTT_MB and fence + row[3] <= FENCES
    caps = (1 << 2) | (1 << 3) | (1 << 4)   # FULL_PPGTT, HWSP_EMULATION, HUGE_GTT
    print("magic=%#x major=0x1 minor=0x0 vgt_id=%#x caps=%#x mappable_base=%#x mappable_size=%#x "
          "hidden_base=%#x hidden_size=%#x fences=%#x" %
          (MAGIC, len(before) + 1, caps, low * MIB, row[1] * MIB, high * MIB, row[2] * MIB, row[3]))


def main():
    # The shortcut must agree with the definition before anything relies on it.
    sample = bytes(range(256)) * 3
    assert crc32_le0(sample) == crc32_le0_bitwise(sample), "crc32_le0 derivation"
    cmds = {"types": cmd_types, "exhausted": cmd_exhausted,
            "golden-check": cmd_golden_check, "golden-edit": cmd_golden_edit,
            "cfg-read": cmd_cfg_read, "region-read": cmd_region_read, "pvinfo": cmd_pvinfo}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    sys.exit(cmds[sys.argv[1]](*sys.argv[2:]) or 0)


if __name__ == "__main__":
    main()
