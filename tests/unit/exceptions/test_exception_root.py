import importlib
import pkgutil

import pytest

import consent
import schemas
import services
from services.exceptions import JoinedUpError

# Exceptions that are deliberately not errors the project detects, so not JoinedUpErrors.
OUTSIDE_THE_ROOT = {
    # Control flow, caught by the code that raises it; never reaches a caller.
    "schemas.avro_value_writers.OffFastPath",
    "schemas.fast_reader._UnsupportedSchema",
    "schemas.fast_writer._UnsupportedSchema",
    "services.bus.transactional._BatchFailedError",
    "services.sdk.attendance_csv._Refused",
    "services.gateway.adapters.json_body._Refused",
    # A bug (state asked of a partition not owned): it must stop the batch, and
    # JoinedUpError is "never for a bug".
    "services.bus.child_store.NotOwnedError",
}


def _fail(name: str) -> None:
    raise ImportError(f"cannot import {name} while walking the packages")


def _modules():
    """Every module of the project's packages; `__main__` runs the CLI, so it is left out."""
    for package in (services, schemas, consent):
        assert package.__file__ is not None, f"{package.__name__} is shadowed by a test folder"
        prefix = f"{package.__name__}."
        for found in pkgutil.walk_packages(package.__path__, prefix, onerror=_fail):
            if found.name.rpartition(".")[2] != "__main__":
                yield importlib.import_module(found.name)


@pytest.fixture(scope="module")
def defined_exceptions() -> dict[str, type[BaseException]]:
    """Every exception class defined (not imported) in a module of the project, by full name."""
    return {
        f"{module.__name__}.{value.__name__}": value
        for module in _modules()
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BaseException)
        and value.__module__ == module.__name__
    }


class TestExceptionRoot:
    def test_every_project_exception_derives_from_the_root(self, defined_exceptions):
        """Each exception defined under services/, schemas/ and consent/ is a JoinedUpError."""
        outside = {
            name
            for name, exception in defined_exceptions.items()
            if not issubclass(exception, JoinedUpError) and name not in OUTSIDE_THE_ROOT
        }
        assert outside == set(), "derive these from their package's error (JoinedUpError)"

    def test_the_exemptions_still_exist_outside_the_root(self, defined_exceptions):
        """An exemption that was renamed, removed or rooted is struck off the list, not kept."""
        for name in OUTSIDE_THE_ROOT:
            assert name in defined_exceptions, f"{name} is gone: remove it from the list"
            assert not issubclass(defined_exceptions[name], JoinedUpError), name

    def test_the_walk_reaches_every_package(self, defined_exceptions):
        """The walk finds errors of each top package, down to nested subpackages."""
        prefixes = {name.split(".", 1)[0] for name in defined_exceptions}
        assert prefixes == {"services", "schemas", "consent"}
        assert "services.registry.exceptions.RegistryError" in defined_exceptions
        assert "schemas.registry_errors.RegistryClientError" in defined_exceptions

    @pytest.mark.parametrize(
        "name",
        [
            "services.registry.exceptions.UnreadableRecordError",
            "services.sdk.exceptions.RegisterFormatError",
        ],
    )
    def test_rooted_errors_are_still_value_errors(self, defined_exceptions, name):
        """Errors that joined the root still answer to `except ValueError`."""
        assert issubclass(defined_exceptions[name], ValueError)
