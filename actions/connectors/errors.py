"""What can go wrong when the bot calls an HR system, as exceptions the actions can tell apart.

    ConnectorError                 user_message (Chinese, for the employee) + detail (for logs)
     ├── SystemUnavailable         connection refused/dropped, or 5xx after the retries
     ├── SystemTimeout             no answer in time (for a write: may or may not have happened)
     ├── RequestRefused            422: a handbook rule; the backend's reason is relayed verbatim
     ├── NotFound                  404: no such record, or not the employee's to see (same answer)
     ├── BadRequest                400/405: the bot sent something wrong — a bug, logged
     └── NotAuthorized             401: the bot's token; 403: the employee may not do this

`user_message` is always safe to show; `detail` may name paths and codes and is for the logs only.
"""

from __future__ import annotations

from actions.connectors.config import SYSTEM_NAMES


def system_name(system: str) -> str:
    """The Chinese name employees know a system by (HRM → 人事系统)."""
    return SYSTEM_NAMES.get(system, f"{system.upper()}系统")


class ConnectorError(Exception):
    """A failed call to an HR system: `user_message` for the employee, `detail` for the logs."""

    def __init__(
        self,
        system: str,
        user_message: str,
        detail: str,
        *,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(f"{system}: {detail}")
        self.system = system
        self.user_message = user_message
        self.detail = detail
        self.status = status
        self.code = code


class SystemUnavailable(ConnectorError):
    """The system could not be reached (refused, dropped, 5xx)."""

    def __init__(self, system: str, detail: str, *, status: int | None = None) -> None:
        super().__init__(
            system,
            f"{system_name(system)}暂时连不上,请稍后再试;如果着急,可以直接联系HR。",
            detail,
            status=status,
        )


class SystemTimeout(ConnectorError):
    """The system did not answer in time. After a write the outcome is unknown, and the message
    says so, so the employee checks before filing again."""

    def __init__(self, system: str, detail: str, *, write: bool = False) -> None:
        name = system_name(system)
        message = (
            f"{name}响应超时,这次提交可能已经成功也可能没有。请稍后先查一下记录,确认没有再重新提交。"
            if write
            else f"{name}响应太慢,这次没能查到结果,请稍后再试。"
        )
        super().__init__(system, message, detail)
        self.write = write


class RequestRefused(ConnectorError):
    """A company rule refused the request (422). `user_message` is the backend's own reason, e.g.
    "年假余额不足:剩余3天,本次需要4天(手册2.1)"; `section` the handbook section."""

    def __init__(
        self, system: str, message: str, detail: str, *, code: str | None, section: str | None
    ) -> None:
        super().__init__(system, message, detail, status=422, code=code)
        self.section = section


class NotFound(ConnectorError):
    """No such record — or one the employee may not see: the two are indistinguishable on purpose."""

    def __init__(self, system: str, detail: str) -> None:
        super().__init__(system, "没有查到相关记录,请核对后再试。", detail, status=404, code="not_found")


class BadRequest(ConnectorError):
    """The bot sent a request the system rejects as malformed (400/405): a bug in the bot.
    `field` names the parameter at fault when the system says."""

    def __init__(
        self,
        system: str,
        detail: str,
        *,
        status: int = 400,
        code: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(
            system,
            f"抱歉,我向{system_name(system)}发出的请求有误,问题已经记录下来。请换个说法再试,或联系HR。",
            detail,
            status=status,
            code=code,
        )
        self.field = field


class NotAuthorized(ConnectorError):
    """401: the bot's token for the system is wrong (configuration). 403: the employee may not do
    this (e.g. withdraw someone else's leave) or is not known to HRM; the backend's reason is kept."""

    def __init__(
        self, system: str, detail: str, *, status: int, code: str | None, message: str | None
    ) -> None:
        if status == 401:
            user_message = f"我暂时没有访问{system_name(system)}的权限(配置问题),请联系HR或管理员处理。"
        elif code == "unknown_acting_employee":
            user_message = "没有找到与您账号对应的员工信息,请联系HR核实。"
        else:
            user_message = message or "您没有办理这项业务的权限,如有疑问请联系HR。"
        super().__init__(system, user_message, detail, status=status, code=code)
