"""The topic policy as data: partitions, replicas and Kafka configs per family of topics.

The packaged policy is `services/bus/topic_policy.yaml`; an operator's own copy,
named by `JOINEDUP_TOPIC_POLICY_FILE`, replaces it whole. A topic takes the
family that lists its exact name, else the first family (in file order) whose
prefix or suffix it has, else the defaults alone. Unset numbers come from the
settings (`default_partitions`, `replication_factor`, `min_insync_replicas`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Final

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from services.bus.exceptions import BusError
from services.bus.settings import BusSettings

PACKAGED_POLICY: Final = "topic_policy.yaml"
MIN_INSYNC_REPLICAS: Final = "min.insync.replicas"


class TopicPolicyError(BusError):
    """Raised when a topic policy file cannot be read or breaks one of its rules."""


class TopicCreationRefusedError(BusError):
    """Raised when a missing topic cannot be created because the principal may not create it."""


def _kafka_value(value: object) -> object:
    """A YAML scalar as Kafka reads a config value: `-1`, `compact`, `false`."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    return value


ConfigValue = Annotated[str, BeforeValidator(_kafka_value)]
Count = Annotated[int, Field(ge=1)]


class TopicSettings(BaseModel):
    """Numbers and Kafka configs of topics; None takes the settings' value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    partitions: Count | None = None
    replication_factor: Count | None = None
    min_insync_replicas: Count | None = None
    config: dict[str, ConfigValue] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_place_for_min_insync(self) -> TopicSettings:
        if MIN_INSYNC_REPLICAS in self.config:
            msg = f"config: {MIN_INSYNC_REPLICAS} is set with min_insync_replicas, not in config"
            raise ValueError(msg)
        return self


class TopicFamily(TopicSettings):
    """Topics named alike (exact names, prefixes, suffixes) and what they get."""

    family: str = Field(min_length=1)
    names: tuple[str, ...] = ()
    prefixes: tuple[Annotated[str, Field(min_length=1)], ...] = ()
    suffixes: tuple[Annotated[str, Field(min_length=1)], ...] = ()

    @model_validator(mode="after")
    def _names_something(self) -> TopicFamily:
        if not (self.names or self.prefixes or self.suffixes):
            msg = f"family {self.family!r} lists no names, prefixes or suffixes"
            raise ValueError(msg)
        return self

    def matches_pattern(self, topic: str) -> bool:
        """True when `topic` has one of this family's prefixes or suffixes."""
        return topic.startswith(self.prefixes) or topic.endswith(self.suffixes)


@dataclass(frozen=True)
class TopicSpec:
    """One topic as the policy wants it on a cluster."""

    name: str
    family: str | None
    partitions: int
    replication_factor: int
    config: Mapping[str, str]


class TopicPolicy(BaseModel):
    """Every family of topics, and the defaults of topics no family names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    defaults: TopicSettings = Field(default_factory=TopicSettings)
    families: tuple[TopicFamily, ...] = ()

    @model_validator(mode="after")
    def _each_name_once(self) -> TopicPolicy:
        names = [name for family in self.families for name in family.names]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            msg = f"families: topic names listed in more than one family: {', '.join(twice)}"
            raise ValueError(msg)
        return self

    def family_of(self, topic: str) -> TopicFamily | None:
        """The family `topic` belongs to, or None when it is in none."""
        exact = next((f for f in self.families if topic in f.names), None)
        return exact or next((f for f in self.families if f.matches_pattern(topic)), None)

    def config(self, topic: str) -> dict[str, str]:
        """The Kafka configs of `topic` (defaults, then its family's over them)."""
        family = self.family_of(topic)
        return {**self.defaults.config, **(family.config if family else {})}

    def spec(self, topic: str, settings: BusSettings) -> TopicSpec:
        """Everything `topic` is created with and kept at on the settings' cluster."""
        family = self.family_of(topic)
        layers = (family, self.defaults) if family else (self.defaults,)

        def first(field: str, fallback: int) -> int:
            found = (getattr(layer, field) for layer in layers)
            return next((value for value in found if value is not None), fallback)

        config = {
            **self.config(topic),
            MIN_INSYNC_REPLICAS: str(first("min_insync_replicas", settings.min_insync_replicas)),
        }
        return TopicSpec(
            name=topic,
            family=family.family if family else None,
            partitions=first("partitions", settings.default_partitions),
            replication_factor=first("replication_factor", settings.replication_factor),
            config=config,
        )


def packaged_policy_file() -> Path:
    """The policy shipped with the package (services/bus/topic_policy.yaml)."""
    found = resources.files("services.bus").joinpath(PACKAGED_POLICY)
    if not isinstance(found, Path) or not found.is_file():
        raise TopicPolicyError(f"the packaged topic policy {PACKAGED_POLICY} is missing")
    return found


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


@lru_cache(maxsize=8)
def _load(path: Path, _stamp: int) -> TopicPolicy:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TopicPolicyError(f"topic policy {path} cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise TopicPolicyError(f"topic policy {path} is not valid YAML ({exc})") from None
    try:
        return TopicPolicy.model_validate(raw or {})
    except ValidationError as exc:
        msg = f"topic policy {path}: {_first_error(exc)}"
        raise TopicPolicyError(msg) from None


def load_topic_policy(path: Path) -> TopicPolicy:
    """The policy in `path` (read again when the file changes)."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise TopicPolicyError(f"topic policy {path} cannot be read ({exc.strerror})") from None
    return _load(path, stamp)


def policy_file(settings: BusSettings | None) -> Path:
    """The policy in force: JOINEDUP_TOPIC_POLICY_FILE, else the packaged one."""
    if settings is not None and settings.topic_policy_file is not None:
        return settings.topic_policy_file
    return packaged_policy_file()


def topic_policy(settings: BusSettings | None = None) -> TopicPolicy:
    """The topic policy of the settings (None: the packaged policy)."""
    return load_topic_policy(policy_file(settings))
