"""[limits] in config.toml: documented defaults, overrides, and clear errors."""

from __future__ import annotations

import pytest

from syndicator.config import Limits, load
from syndicator.errors import ConfigError
from tests.conftest import MINIMAL_CONFIG


def test_defaults_without_a_limits_table(site):
    limits = load(site).limits
    assert limits == Limits(max_post_bytes=10 * 1024 * 1024, max_tags=200,
                            max_front_matter_bytes=1024 * 1024, max_nesting=50)


def test_limits_table_overrides_each_field(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL_CONFIG + "\n[limits]\nmax_post_bytes = 2048\nmax_tags = 3\n"
                    "max_front_matter_bytes = 512\nmax_nesting = 4\n", encoding="utf-8")
    assert load(path).limits == Limits(max_post_bytes=2048, max_tags=3, max_front_matter_bytes=512,
                                       max_nesting=4)


@pytest.mark.parametrize("table, message", [
    ("max_post_byte = 5", "config.toml: [limits] unknown key 'max_post_byte' (did you mean 'max_post_bytes'?)"),
    ("max_tags = '200'", "config.toml: [limits] max_tags must be an integer"),
    ("max_nesting = 0", "config.toml: [limits] max_nesting must be at least 1"),
])
def test_limits_errors_name_the_key(tmp_path, table, message):
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL_CONFIG + f"\n[limits]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value) == message
