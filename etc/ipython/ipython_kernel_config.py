# IPython kernel configuration for the project's own builds and tests: `make` copies
# it into .venv/etc/ipython/, which IPython reads for every kernel started from
# .venv's Python (the kernels of `make book`, nbval and `make lab`) and for no other.
#
# Why: ipykernel 7 logs "Kernel is running over TCP without encryption ..." whenever
# its transport is TCP and no CurveZMQ key was provisioned, so the build log repeats
# it for every notebook and real messages drown. The fix at the source would be IPC
# transport, but the transport is chosen by the kernel manager that writes the
# connection file, and neither myst-nb (through jupyter-cache and nbclient) nor nbval
# lets a project configure the manager they create. The kernels run on this machine,
# for this user, so plain TCP on localhost exposes nothing a local user could not
# read anyway. This filter drops that one message and nothing else: every other
# warning and error of the kernel still reaches the log.
import logging

TCP_NOTICE = "Kernel is running over TCP without encryption"


def without_tcp_notice():
    """A logging filter that rejects only the TCP-without-encryption notice."""

    def keep(record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(TCP_NOTICE)

    return keep


c = get_config()  # noqa: F821 (IPython provides get_config to config files)
c.IPKernelApp.logging_config = {
    "filters": {"without_tcp_notice": {"()": without_tcp_notice}},
    "handlers": {"console": {"filters": ["without_tcp_notice"]}},
}
