"""genrepair-serve's flags that shape the server."""

import pytest

from tf_genrepair.bin.serve import parse_size_ladder
from tf_genrepair.models.restorer_inputs import SIZE_LADDER


def test_size_ladder_flag_values():
    assert parse_size_ladder("default") == SIZE_LADDER
    assert parse_size_ladder("off") is None
    assert parse_size_ladder("64,128,512") == (64, 128, 512)
    for bad in ("", "0,64", "128,64", "64,64", "big"):
        with pytest.raises(ValueError, match="--size_ladder must be"):
            parse_size_ladder(bad)
