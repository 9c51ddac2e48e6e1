"""rv58a findings 3, 6, 7 and 8: 05d's second figure keeps its line styles and names its x-axis, and its earlier runs
read "(reference)", not "(probe)"; the eval figures' panels say what their numbers are (part n, its presence, never
1.00 below 1; "n parts" are those won with presence >= 0.5) and one progress bar counts all six figures; bench says a
compiled step's raised warm-up in a warning line, names its batch synthetic (text and JSON) and times a class count
below the preset dataset's, as it reads no dataset. Each test failed on the code before these fixes (fx58d's base,
b16bfa3).
"""

import io
import json
from contextlib import redirect_stderr
from pathlib import Path
from unittest import mock

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from test_reliability import inproc_main  # noqa: E402
from test_reliability import quiet_globals  # noqa: E402, F401 (a fixture)

NBS = Path(__file__).resolve().parents[1] / "nbs"
BENCH = ["bench", "--device", "cpu", "--batch-size", 2, "--steps", 1, "--n-parts", 4, "--n-objects", 3, "--threads", 1,
         "--no-progress"]


def _cells(notebook):
    "{cell id: (source, the text of its outputs)} of nbs/`notebook`."
    cells = json.loads((NBS / notebook).read_text())["cells"]
    def text(output):
        data = output.get("data", {})
        return "".join(output.get("text", "")) + "".join(data.get("text/markdown", "")) + "".join(
            data.get("text/plain", ""))
    return {c["id"]: ("".join(c["source"]), "".join(text(o) for o in c.get("outputs", []))) for c in cells}


# ---- 3. (rv58a #3) 05d's second figure: the full styles (dashed for the references), its x-axis named
def test_05d_curves_keep_their_styles_and_caption():
    "Was: `styles[name][:2]` (the colour only: two identical orange lines), captioned 'against the arm's own wall clock'."
    cells = _cells("05d_cpu_recipe.ipynb")
    plot, caption = cells["684bde4f"][0], cells["da53cc26"][0]
    assert "styles[name][:2]" not in plot and "styles[name], label=shown[name]" in plot, plot
    assert "wall" not in caption and "against the training images seen" in caption, caption


# ---- 6. (rv58a #6) 05d: the earlier runs read "(reference)"; the card's long source is not pasted into a table cell
def test_05d_reference_runs_are_not_called_probe():
    "Was: 'official-lr3e-5 (probe)' in the table and legends; the card's ~120-word source in one table cell."
    cells = _cells("05d_cpu_recipe.ipynb")
    table = cells["e59dbc24"][1]
    assert "(probe)" not in table and "official-lr3e-5 (reference)" in table, table
    card = cells["015a167b"][1]
    row = next(line for line in card.splitlines() if line.startswith("| evaluated on |"))
    assert len(row.split()) < 25 and "lbfgs" not in row, row           # the command only
    assert "lbfgs" in card                                             # the full note, below the table


# ---- 7. (rv58a #7) the eval figures say what their numbers are, and the bar counts the figures
def test_part_panels_name_part_and_presence_never_one_below_one():
    "Was: panels titled '0: 1.00' for a presence of 0.9999965, with no key."
    from scae_nb.figures import plot_part_decomposition

    torch.manual_seed(0)
    fig = plot_part_decomposition(torch.rand(1, 8, 8), torch.rand(3, 1, 8, 8), torch.tensor([0.9999965, 0.5, 0.25]))
    titles = [ax.get_title() for ax in fig.axes[2:]]
    key = fig._suptitle.get_text()
    plt.close(fig)
    assert titles == ["part 0\np = 0.999996", "part 1\np = 0.50", "part 2\np = 0.25"], titles
    assert key == "part decomposition\neach panel: part n, p = its presence", key


def _tiny_model_figures(progress):
    "make_figures of a 4-part, 3-capsule model on 2 random images with 40 random test features; (figures, stderr)."
    from scae_nb.figures import make_figures
    from scae_nb.model import SCAEConfig, build_model

    torch.manual_seed(0)
    model = build_model(SCAEConfig(n_parts=4, n_objects=3, canvas_size=28))
    test = dict(u=torch.rand(40, 3), m=torch.rand(40, 3), labels=torch.arange(40) % 10)
    with redirect_stderr(io.StringIO()) as err, mock.patch("scae_nb.utils._redraws", return_value=False):
        figures = make_figures(model, torch.rand(2, 1, 28, 28), torch.tensor([1, 2]), test, progress=progress)
    return figures, err.getvalue()


def test_capsule_claims_say_what_they_count_and_the_bar_counts_figures():
    "Was: 'capsule 0 / 6 parts' with no word of presence >= 0.5; a bar 'figures: 100% 2/2' while six are drawn."
    figures, err = _tiny_model_figures(progress=True)
    key = figures["capsule_claims"]._suptitle.get_text()
    plt.close("all")
    assert key.split("\n")[1] == "n parts: the parts it wins with presence >= 0.5", key
    assert len(figures) == 6 and [line.split(" [")[0] for line in err.splitlines()] == ["figures: 100% 6/6"], err


# ---- 8. (rv58a #8) bench: the raised warm-up said, the batch named synthetic, any class count timed
def test_bench_says_a_raised_warmup(capfd, quiet_globals):
    "Was: `--warmup 0 --compile --json` ran 2 warm-up steps without a word (the JSON's warmup 2 only)."
    rc, out, err = inproc_main([*BENCH, "--warmup", 0, "--compile", "--backend", "eager", "--json"], capfd)
    assert rc == 0, err
    assert json.loads(out.strip().splitlines()[-1])["warmup"] == 2, out
    assert ("scae-nb bench: warning: --warmup 0: a compiled step takes at least 2 warm-up steps (the optimizer's "
            "slots, then the compile); 2 ran, untimed") in err.splitlines(), err


def test_bench_names_its_batch_synthetic(capfd, quiet_globals):
    "Was: neither the text line nor the JSON said that the batch is synthetic (only --help did)."
    rc, out, err = inproc_main([*BENCH, "--warmup", 1, "--json"], capfd)
    result = json.loads(out.strip().splitlines()[-1])                  # the last line: the one object
    assert rc == 0 and result["batch"] == "synthetic", (out, err)
    assert {"ms_per_step", "images_per_s", "peak_mem_mb", "device"} <= set(result)
    rc, out, err = inproc_main([*BENCH, "--warmup", 1], capfd)
    assert rc == 0 and " B=2 (synthetic batch) on cpu " in out, (out, err)


def test_bench_times_fewer_classes_than_the_dataset(capfd, quiet_globals):
    "Was: `--n-classes 1 is below the 10 classes of dataset 'mnist'`, though bench reads no dataset."
    rc, out, err = inproc_main([*BENCH, "--warmup", 1, "--n-classes", 1, "--json"], capfd)
    assert rc == 0, err
    assert json.loads(out.strip().splitlines()[-1])["preset"] == "official (n_parts=4, n_objects=3, n_classes=1)", out
    rc, out, err = inproc_main([*BENCH, "--warmup", 1, "--n-classes", 0], capfd)   # no class at all: still refused
    assert (rc, err) == (2, "scae-nb bench: error: --n-classes must be a positive integer, got 0\n"), err

