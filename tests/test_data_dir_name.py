"""A data folder that is refused is named as its caller gave it: `pretrained_check(data_dir=...)`
reaches `load_arrays` through `make_loaders`, and the line said `root=` (inside `cli_words`,
`--root`, an option scae-nb does not have) until `load_arrays` took `data_dir`."""
import pytest

from scae_nb.evaluation import pretrained_check
from scae_nb.utils import UsageError, cli_words


def test_pretrained_check_names_data_dir(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("")
    with pytest.raises(UsageError) as e:
        pretrained_check("mnist-cpu", data_dir=str(afile), n_test=10)
    assert str(e.value) == f"data_dir={str(afile)!r}: is a file, not a folder"
    with cli_words(), pytest.raises(UsageError) as e:       # as a command would say it
        pretrained_check("mnist-cpu", data_dir=str(afile), n_test=10)
    assert str(e.value) == f"--data-dir {afile}: is a file, not a folder"
