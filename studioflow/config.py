"""Where studioflow keeps its files, how a user points it elsewhere, and the user's `config.toml`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from studioflow.errors import StudioflowError

APP_NAME = "studioflow"
DB_ENV = "STUDIOFLOW_DB"
CONFIG_ENV = "STUDIOFLOW_CONFIG"
ME_KEYS = ("name", "business")
DEFAULT_SEND_DELAY = 120  # seconds: long enough to see a slip and undo it, short enough not to matter
SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
Scalar = str | int | float | bool


# platformdirs and tomllib are imported where used: a command given --db, with no config file,
# starts without them (some 15 ms of every CLI call).


def default_db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME)) / "studioflow.db"


def db_path(given: str | None = None, config: Config | None = None) -> Path | str:
    """Where the studio is: `--db` if given, else $STUDIOFLOW_DB, else `[store] url` in config.toml,
    else the file in the user data dir. A `postgresql://` URL is kept as text, anything else is a path."""
    chosen = given or os.environ.get(DB_ENV) or (config or load_config()).store()[0]
    if not chosen:
        return default_db_path()
    return chosen if chosen.startswith(DB_URL_SCHEMES) else Path(chosen).expanduser()


DB_URL_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")  # a PostgreSQL studio (store.db.is_url)


def config_path() -> Path:
    """$STUDIOFLOW_CONFIG, else `config.toml` in the user config dir."""
    chosen = os.environ.get(CONFIG_ENV)
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


@dataclass(frozen=True)
class Config:
    """config.toml, read once (at start, and again when the settings screen saves it) and handed to
    the app and the services. Each table is checked when asked for, so a broken [smtp] is said where
    mail is sent and never costs the user their [me], their keys or their theme."""

    raw: Mapping[str, object] = field(default_factory=dict)
    problem: str = ""  # the file could not be read: said by every table asked for

    def tables(self) -> dict[str, object]:
        if self.problem:
            raise StudioflowError(self.problem)
        return dict(self.raw)

    def me(self) -> dict[str, str]:
        """The `[me]` table (who signs the messages); empty strings when there is no config file."""
        me = _table(self.tables(), "me", {"name": str, "business": str})
        return {key: str(me.get(key, "")) for key in ME_KEYS}

    def smtp(self) -> SmtpConfig | None:
        """The `[smtp]` table, or None when there is none (messages then go to the stub outbox)."""
        raw = self.tables()
        if "smtp" not in raw:
            return None
        return smtp_from_table(_table(raw, "smtp", SMTP_KEYS), where=str(config_path()))

    def sms(self) -> SmsConfig | None:
        return _sms(self.tables())

    def send_delay(self) -> int:
        return _send_delay(self.tables())

    def mileage(self) -> tuple[str, int]:
        return _mileage(self.tables())

    def keys(self) -> dict[str, str]:
        """`[keys]`: binding id -> keys, e.g. "board.advance" = "L,ctrl+right" (whether each id
        exists is for the app to say: only it knows its bindings)."""
        table = self.tables().get("keys", {})
        if not isinstance(table, dict):
            raise StudioflowError(f"{config_path()}: 'keys' must be a table ([keys])")
        for binding_id, keys in table.items():
            if not isinstance(keys, str) or not all(key.strip() for key in keys.split(",")) or "\n" in keys:
                raise StudioflowError(
                    f'{config_path()}: keys.{binding_id} must be keys in quotes, e.g. "board.advance" = "L,ctrl+right"'
                )
        return {binding_id: ",".join(key.strip() for key in keys.split(",")) for binding_id, keys in table.items()}

    def store(self) -> tuple[str, str]:
        """`[store]`: (url, password_command). The url is a file path or `postgresql://…` (its password
        never here: from password_command, run when the database is opened, or PGPASSWORD)."""
        table = _table(self.tables(), "store", {"url": str, "password_command": str})
        return str(table.get("url", "")).strip(), str(table.get("password_command", ""))

    def theme(self) -> str:
        """`[ui] theme`: the theme last picked in the app ("" = Textual's default)."""
        return str(_table(self.tables(), "ui", {"theme": str}).get("theme", "")).strip()


def load_config() -> Config:
    """Read config.toml once; a file that cannot be read is said by each table asked for, not here."""
    try:
        return Config(_read_config())
    except StudioflowError as exc:
        return Config(problem=str(exc))


def load_me() -> dict[str, str]:
    """The `[me]` table (who signs the messages); empty strings when there is no config file."""
    return load_config().me()


@dataclass(frozen=True)
class SmtpConfig:
    """The `[smtp]` table: the user's own mail server. The password is never kept here."""

    host: str
    port: int
    security: str  # starttls | ssl | none
    username: str = ""
    from_addr: str = ""
    password_command: str = ""
    timeout: float = 30.0

    def as_table(self) -> dict[str, Scalar]:
        table: dict[str, Scalar] = {"host": self.host, "port": self.port, "security": self.security}
        optional = {"username": self.username, "from": self.from_addr, "password_command": self.password_command}
        table.update({key: value for key, value in optional.items() if value})
        table["timeout"] = self.timeout
        return table


SMTP_KEYS: dict[str, type | tuple[type, ...]] = {
    "host": str,
    "port": int,
    "security": str,
    "username": str,
    "from": str,
    "password_command": str,
    "timeout": (int, float),
}


def load_smtp() -> SmtpConfig | None:
    """The `[smtp]` table, or None when there is none (messages then go to the stub outbox)."""
    return load_config().smtp()


def smtp_from_table(table: dict[str, object], where: str = "smtp settings") -> SmtpConfig:
    """Check a table of SMTP settings (read from the file or typed in the settings screen)."""
    host = str(table.get("host", "")).strip()
    if not host:
        raise StudioflowError(f"{where}: smtp.host is missing (the name of your mail server, e.g. smtp.example.com)")
    security = str(table.get("security", "starttls"))
    if security not in SECURITY_PORTS:
        raise StudioflowError(f"{where}: smtp.security must be one of {', '.join(SECURITY_PORTS)}, not {security!r}")
    port = table.get("port", SECURITY_PORTS[security])
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise StudioflowError(f"{where}: smtp.port must be a number from 1 to 65535, not {port!r}")
    timeout = _seconds(table.get("timeout", 30.0), where, "smtp.timeout")
    from_addr = str(table.get("from", "")).strip()
    from email.utils import parseaddr  # on use: the email package is ~15 ms of every command's start

    if from_addr and "@" not in parseaddr(from_addr)[1]:
        raise StudioflowError(f'{where}: smtp.from must be an address, e.g. from = "Jo Lens <jo@example.com>"')
    return SmtpConfig(
        host=host,
        port=port,
        security=security,
        username=str(table.get("username", "")).strip(),
        from_addr=from_addr,
        password_command=str(table.get("password_command", "")),
        timeout=timeout,
    )


@dataclass(frozen=True)
class SmsHttpConfig:
    """`[sms.http]`: a provider's REST messages API, shaped like Twilio's. The token is never kept here."""

    account_sid: str
    from_number: str
    base_url: str = "https://api.twilio.com"
    token_command: str = ""
    timeout: float = 30.0


@dataclass(frozen=True)
class SmsConfig:
    """`[sms]`: how texts leave the machine, by the user's own command or an HTTP API (one of them)."""

    command: tuple[str, ...] = ()  # an argv template, run without a shell: {to} and {body} filled in
    timeout: float = 30.0
    http: SmsHttpConfig | None = None


SMS_KEYS: dict[str, type | tuple[type, ...]] = {"command": (list, str), "timeout": (int, float), "http": dict}
SMS_HTTP_KEYS: dict[str, type | tuple[type, ...]] = {
    "account_sid": str,
    "from": str,
    "base_url": str,
    "token_command": str,
    "timeout": (int, float),
}


def load_sms() -> SmsConfig | None:
    return load_config().sms()


def _sms(raw: dict[str, object]) -> SmsConfig | None:
    """The `[sms]` table, or None when there is none (texts then wait: nothing can send them)."""
    if "sms" not in raw:
        return None
    where = str(config_path())
    table = _table(raw, "sms", SMS_KEYS)
    command = table.get("command", ())
    if isinstance(command, str):
        import shlex  # a string is split as a shell would, but never run by one

        try:
            command = shlex.split(command)
        except ValueError as exc:
            raise StudioflowError(f"{where}: sms.command cannot be split into words: {exc}") from None
    assert isinstance(command, list | tuple)
    if not all(isinstance(part, str) for part in command) or (command and not command[0].strip()):
        raise StudioflowError(f'{where}: sms.command must be a list of words, e.g. command = ["my-sms", "{{to}}"]')
    http = None
    if "http" in table:
        http_table = _table(table, "http", SMS_HTTP_KEYS)
        missing = [key for key in ("account_sid", "from") if not str(http_table.get(key, "")).strip()]
        if missing:
            raise StudioflowError(f"{where}: sms.http.{missing[0]} is missing")
        base_url = str(http_table.get("base_url", "https://api.twilio.com")).rstrip("/")
        if not base_url.startswith(("https://", "http://")):
            raise StudioflowError(f"{where}: sms.http.base_url must start with https:// (or http://)")
        http = SmsHttpConfig(
            account_sid=str(http_table["account_sid"]).strip(),
            from_number=str(http_table["from"]).strip(),
            base_url=base_url,
            token_command=str(http_table.get("token_command", "")),
            timeout=_seconds(http_table.get("timeout", 30.0), where, "sms.http.timeout"),
        )
    if command and http is not None:
        raise StudioflowError(f"{where}: set sms.command or [sms.http], not both")
    if not command and http is None:
        raise StudioflowError(f"{where}: [sms] needs a command, or an [sms.http] table")
    return SmsConfig(
        command=tuple(command), timeout=_seconds(table.get("timeout", 30.0), where, "sms.timeout"), http=http
    )


def _seconds(value: object, where: str, key: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 600:
        raise StudioflowError(f"{where}: {key} must be a number of seconds from 1 to 600, not {value!r}")
    return float(value)


def load_send_delay() -> int:
    return load_config().send_delay()


def _send_delay(raw: dict[str, object]) -> int:
    """`[outbox] send_delay_seconds`: how long a new message waits, so a slip can still be undone (0 allowed)."""
    delay = _table(raw, "outbox", {"send_delay_seconds": int}).get("send_delay_seconds", DEFAULT_SEND_DELAY)
    if not isinstance(delay, int) or not 0 <= delay <= 86400:
        raise StudioflowError(f"{config_path()}: outbox.send_delay_seconds must be from 0 to 86400, not {delay!r}")
    return delay


def save_table(name: str, values: Mapping[str, Scalar] | None) -> None:
    """Replace (None: remove) one table of config.toml; the rest of the file (other tables, comments,
    order, values of any type) stays as the user wrote it. Only its owner can read the file."""
    import tomllib

    import tomlkit  # imported on use: only a save needs it

    for key, value in (values or {}).items():
        if isinstance(value, str) and ("\n" in value or "\r" in value):
            raise StudioflowError(f"{name}.{key} must be one line")  # as the file's reader insists
    path = config_path()
    document = tomlkit.parse(_read_text(path))
    if values is None:
        document.pop(name, None)
    elif isinstance(document.get(name), dict):
        table = document[name]
        for key in [key for key in table if key not in values]:
            del table[key]
        for key, value in values.items():
            table[key] = value  # in place: a comment after the value stays
    else:
        document.pop(name, None)
        document[name] = values
    text = tomlkit.dumps(document)
    try:
        tomllib.loads(text)  # never write a file the next start could not read
    except ValueError as exc:
        raise StudioflowError(f"cannot save [{name}]: the file would not be valid TOML ({exc})") from None
    _write_private(path, text)


def _write_private(path: Path, text: str) -> None:
    """Written beside it and renamed over it: a crash or a full disk never leaves half a config
    (an empty one would send every email to the stub outbox)."""
    temporary = path.with_name(f".{path.name}.new")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        temporary.chmod(0o600)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise StudioflowError(f"cannot save {path}: {exc.strerror}") from None


def _table(raw: dict[str, object], name: str, known: dict[str, type | tuple[type, ...]]) -> dict[str, object]:
    """One table of the file, every key known and of its type (a clear error naming the key otherwise)."""
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise StudioflowError(f"{config_path()}: '{name}' must be a table ([{name}])")
    for key, value in table.items():
        if key not in known:
            raise StudioflowError(f"{config_path()}: unknown key {name}.{key} (known: {', '.join(known)})")
        wanted = known[key]
        if not isinstance(value, wanted) or (isinstance(value, bool) and wanted is not bool):
            kind = _KINDS.get(wanted, "a number")
            raise StudioflowError(f"{config_path()}: {name}.{key} must be {kind}, e.g. {key} = {_example(wanted)}")
        if isinstance(value, str) and ("\n" in value or "\r" in value):
            # Names and addresses end up in mail headers, where a line break would forge a header.
            raise StudioflowError(f"{config_path()}: {name}.{key} must be one line")
    return table


_KINDS: dict[type | tuple[type, ...], str] = {
    str: "a string in quotes",
    dict: "a table",
    (list, str): "a list of words",
}


def _example(wanted: type | tuple[type, ...]) -> str:
    return {str: '"..."', dict: "{ ... }", (list, str): '["my-sms", "{to}"]'}.get(wanted, "30")


MILEAGE_UNITS = ("mi", "km")


def load_mileage() -> tuple[str, int]:
    return load_config().mileage()


def _mileage(raw: dict[str, object]) -> tuple[str, int]:
    """The `[mileage]` table: (unit, rate in cents per unit); ("mi", 0) when not configured.

    e.g. `[mileage]` `unit = "km"` `rate_cents = 30`
    """
    table = raw.get("mileage", {})
    if not isinstance(table, dict):
        raise StudioflowError(f"{config_path()}: 'mileage' must be a table ([mileage])")
    for key in table:
        if key not in ("unit", "rate_cents"):
            raise StudioflowError(f"{config_path()}: unknown key mileage.{key} (known: unit, rate_cents)")
    unit = table.get("unit", "mi")
    if unit not in MILEAGE_UNITS:
        raise StudioflowError(f'{config_path()}: mileage.unit must be "mi" or "km", not {unit!r}')
    rate = table.get("rate_cents", 0)
    if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= 100_000:
        raise StudioflowError(f"{config_path()}: mileage.rate_cents must be a whole number of cents, e.g. 70")
    return unit, rate


def _read_config() -> dict[str, object]:
    path = config_path()
    text = _read_text(path)
    if not text:
        return {}
    import tomllib

    try:
        return tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError
        raise StudioflowError(f"{path} is not valid TOML: {' '.join(str(exc).split())}") from None


def _read_text(path: Path) -> str:
    """The config file's text ("" when there is none)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise StudioflowError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise StudioflowError(f"{path} is not valid TOML: it is not UTF-8 text") from None
