import dataclasses

import pytest

from labsupport import profiles


def test_default_profile_is_book(monkeypatch):
    monkeypatch.delenv(profiles.ENV_VAR, raising=False)
    assert profiles.current_profile().name == "book"


@pytest.mark.parametrize("name", ["ci", "book", "full"])
def test_each_profile_is_selected_by_the_variable(monkeypatch, name):
    monkeypatch.setenv(profiles.ENV_VAR, name)
    assert profiles.current_profile() is profiles.PROFILES[name]


def test_unknown_profile_names_the_value_and_the_allowed_ones(monkeypatch):
    monkeypatch.setenv(profiles.ENV_VAR, "huge")
    with pytest.raises(ValueError) as error:
        profiles.current_profile()
    message = str(error.value)
    assert "LABSUPPORT_PROFILE='huge'" in message
    for allowed in ("'ci'", "'book'", "'full'"):
        assert allowed in message


def test_profiles_grow_from_ci_to_full():
    sizes = [profiles.PROFILES[name] for name in ("ci", "book", "full")]
    for field in dataclasses.fields(profiles.Profile):
        values = [getattr(profile, field.name) for profile in sizes]
        if all(isinstance(value, bool) for value in values):
            continue  # switches, not sizes
        if all(isinstance(value, (int, float)) for value in values):
            assert values == sorted(values), field.name
        elif all(isinstance(value, tuple) for value in values):
            assert [len(value) for value in values] == sorted(len(value) for value in values), field.name


def test_summary_lists_every_setting():
    summary = profiles.get_profile("ci").summary()
    for field in dataclasses.fields(profiles.Profile):
        assert f"{field.name}:" in summary
