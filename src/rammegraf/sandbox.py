"""What a worker process may do: no network, bounded memory, a deep stack.

The web app's workers run every query a visitor sends. The SPARQL check
(rammegraf.sparql) refuses SERVICE and FROM before anything runs, but it reads
the text with one parser and Oxigraph runs it with another; once already they
read a keyword differently (``SERVICE:x``: see the README, "Known issues"). So
the worker does not depend on reading the query at all:

- **No network.** Before the worker opens the store it installs a seccomp
  filter (Linux) under which ``socket(2)`` fails with EACCES for every address
  family but AF_UNIX (the worker's pipe to the server is a Unix socket made
  before), ``io_uring_setup(2)`` fails (io_uring can open sockets on its own),
  and so does every system call of another architecture's numbering (x32, or
  the 32-bit ``int 0x80`` entry, whose ``socketcall`` would slip past). A SERVICE
  that reaches Oxigraph's HTTP client fails at its first system call: no
  connection, no DNS look-up. The filter holds for every thread of the process
  (SECCOMP_FILTER_FLAG_TSYNC) and for anything it starts; it cannot be lifted.
- **Bounded memory.** ``RLIMIT_DATA`` caps the worker's heap (and every
  private writable mapping); an allocation past it fails, the worker ends, and
  the server answers 503 with a sentence and starts another.
- **A deep stack.** Jobs run on a thread with a 256 MB stack (address space,
  touched only as deep as a query goes): Oxigraph parses and evaluates
  recursively, and a 20,000-term UNION or ``&&`` chain (well under the 256 KB
  query limit) overflows the main thread's 8 MB and kills the process.

The filter is written out as classic BPF (ten instructions) rather than through
libseccomp, which is a C library that a Python install cannot rely on finding.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys

JOB_STACK = 256 * 2**20      # bytes of the job thread's stack (address space)

# linux/audit.h, linux/seccomp.h, linux/filter.h
_ARCHES = {
    # machine: (AUDIT_ARCH_*, __NR_socket, __NR_io_uring_setup, __NR_seccomp, x32 bit)
    "x86_64": (0xC000003E, 41, 425, 317, 0x40000000),
    "aarch64": (0xC00000B7, 198, 425, 277, None),
}
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_PR_SET_NO_NEW_PRIVS = 38
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_LD_W_ABS = 0x20             # BPF_LD | BPF_W | BPF_ABS
_JEQ = 0x15                  # BPF_JMP | BPF_JEQ | BPF_K
_JGE = 0x35                  # BPF_JMP | BPF_JGE | BPF_K
_RET = 0x06                  # BPF_RET | BPF_K
_AF_UNIX = 1


class SandboxError(OSError):
    """The network guard could not be put in place."""


def _program(arch: int, socket_nr: int, uring_nr: int, x32: int | None) -> bytes:
    deny = _RET_ERRNO | errno.EACCES
    # seccomp_data: int nr @0, u32 arch @4, u64 ip @8, u64 args[6] @16 (args[0]'s low word @16, little-endian)
    code = [
        (_LD_W_ABS, 0, 0, 4),                  # 0  A = arch
        (_JEQ, 1, 0, arch),                    # 1  our architecture? skip the deny
        (_RET, 0, 0, deny),                    # 2  another numbering: refused
        (_LD_W_ABS, 0, 0, 0),                  # 3  A = nr
        (_JGE, 5, 0, x32) if x32 else (_JEQ, 5, 0, 0xFFFFFFFF),  # 4  x32 calls: refused (-> 10)
        (_JEQ, 4, 0, uring_nr),                # 5  io_uring_setup: refused (-> 10)
        (_JEQ, 1, 0, socket_nr),               # 6  socket: look at its family (-> 8)
        (_RET, 0, 0, _RET_ALLOW),              # 7  anything else: allowed
        (_LD_W_ABS, 0, 0, 16),                 # 8  A = family
        (_JEQ, 1, 0, _AF_UNIX),                # 9  AF_UNIX: allowed (-> 11)
        (_RET, 0, 0, deny),                    # 10 refused
        (_RET, 0, 0, _RET_ALLOW),              # 11 allowed
    ]
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in code)


def forbid_network() -> None:
    """From now on this process (every thread) cannot open a network socket.
    Raises SandboxError where that cannot be done (not Linux, an unknown CPU,
    a kernel without seccomp filters)."""
    if not sys.platform.startswith("linux"):
        raise SandboxError(f"netværksspærren kræver Linux (the network guard needs Linux, not {sys.platform})")
    machine = platform.machine()
    if machine not in _ARCHES:
        raise SandboxError(f"netværksspærren kender ikke processoren {machine} (unknown CPU for the network guard)")
    arch, socket_nr, uring_nr, seccomp_nr, x32 = _ARCHES[machine]
    program = _program(arch, socket_nr, uring_nr, x32)
    filters = ctypes.create_string_buffer(program, len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program) // 8, ctypes.addressof(filters))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    libc.syscall.restype = ctypes.c_long
    if libc.syscall(ctypes.c_long(seccomp_nr), ctypes.c_ulong(_SECCOMP_SET_MODE_FILTER),
                    ctypes.c_ulong(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(fprog)) != 0:
        code = ctypes.get_errno()
        raise SandboxError(code, f"seccomp: {os.strerror(code)}")


def limit_memory(megabytes: int) -> None:
    """Cap this process's data (heap and private writable mappings, thread stacks
    included) at ``megabytes`` plus the job thread's stack; 0: no cap."""
    if not megabytes:
        return
    import resource

    limit = megabytes * 2**20 + JOB_STACK
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def data_size() -> int | None:
    """This process's data segment in bytes (``VmData``: what RLIMIT_DATA counts), or None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def allow_kept(extra: int) -> None:
    """Raise this process's memory cap (``limit_memory``) by ``extra`` bytes: what the
    worker keeps for every job (the derived facts, read once: 800 MB at ten million
    triples) is not a job's own use, which the cap is for. Nothing when there is no cap."""
    if extra <= 0:
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if soft == resource.RLIM_INFINITY:
        return
    raised = soft + extra if hard == resource.RLIM_INFINITY else min(soft + extra, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (raised, hard))
