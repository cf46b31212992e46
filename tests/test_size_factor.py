"""`db.cli generate --size` takes a named size or a factor of the reference size."""

import pytest

from db.cli import main
from synthetic import SIZES, size_for


def test_named_sizes_are_the_named_ones():
    assert size_for("demo") == SIZES["demo"]
    assert size_for("reference") == SIZES["reference"]


@pytest.mark.parametrize("factor", ["0.1", "1", "3", 10])
def test_a_factor_scales_history_and_rows_not_departments(factor):
    ref = SIZES["reference"]
    size = size_for(factor)
    f = float(factor)
    assert size.days == round(ref.days * f)
    assert size.interactions == round(ref.interactions * f)
    assert size.concerns == round(ref.concerns * f)
    assert size.patients == round(ref.patients * f)
    assert size.survey_responses == round(ref.survey_responses * f)
    assert size.departments == ref.departments
    # The same daily rate at every factor: more years of history, not a busier hospital.
    assert size.interactions / size.days == pytest.approx(ref.interactions / ref.days, rel=0.01)


@pytest.mark.parametrize("bad", ["huge", "0", "-1", "51"])
def test_a_bad_size_is_refused_before_anything_runs(bad, capsys):
    with pytest.raises(ValueError):
        size_for(bad)
    assert main(["generate", "--size", bad]) == 2
    assert "size" in capsys.readouterr().err
