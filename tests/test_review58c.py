"""rv58a findings 1-4: the building blocks of 02_pcae and 03_ocae refuse a wrong shape in one line naming the
argument (not Python's unpacking error or torch's size mismatch), checking shapes only so the compiled step keeps
one graph; `OCAE` refuses part presences outside [0, 1] on the CPU, as the SCAE refuses images there; 04_losses
writes $N$ for the number of classes (02_pcae's promise), not $C$ (channels); 00_data's intro has a reading guide
to the model's sections and each plumbing section opens with "*A detour, not the model:*". Each test but the
compile one failed on the code before these fixes (fx58c's base, 15ef257); that one guards the fixes.
"""
import json
import re
from pathlib import Path

import pytest
import torch

from scae_nb.ocae import OCAE, capsule_likelihood, capsule_posterior, compose_affine
from scae_nb.pcae import attention_pool, geometric_transform, inverse_affine, qr_template_init, warp_templates

NBS = Path(__file__).resolve().parents[1] / "nbs"


def _markdown(name: str) -> list:
    "(id, text) of each markdown cell of nbs/`name`."
    cells = json.loads((NBS / name).read_text())["cells"]
    return [(c.get("id"), "".join(c["source"])) for c in cells if c["cell_type"] == "markdown"]


# ---- 1. (rv58a #1) the chapters' building blocks refuse a wrong shape by name
@pytest.mark.parametrize("call, message", [
    (lambda: geometric_transform(torch.zeros(5)), "pose_raw must be [..., 6], got shape (5,)"),
    (lambda: geometric_transform(torch.zeros(2, 7)), "pose_raw must be [..., 6], got shape (2, 7)"),
    (lambda: inverse_affine(torch.zeros(3, 5)), "pose must be [..., 6], got shape (3, 5)"),
    (lambda: warp_templates(torch.rand(2, 40, 1, 11, 11), torch.rand(2, 40, 5), (40, 40)),
     "pose must be [B, M, 6], got shape (2, 40, 5)"),
    (lambda: attention_pool(torch.rand(2, 100, 5, 5), 40), "head_out must be [B, M*d+M, h, w] with M = n_parts = 40"),
    (lambda: qr_template_init(0, 11), "n_templates must be a positive integer, got 0"),
    (lambda: capsule_likelihood(torch.rand(2, 32, 40, 6), torch.rand(2, 32, 40), torch.rand(2, 32, 40),
                                torch.rand(2, 40, 7), torch.rand(2, 40)),
     "pose must be [B, M, 6] = [2, 40, 6] (B, K, M from votes), got shape (2, 40, 7)"),
    (lambda: capsule_posterior(torch.rand(2, 32, 40), torch.rand(2, 32, 40, 6), torch.rand(2, 32, 40)),
     "posterior_logits must be [B, K+1, M] = [2, 33, 40]"),
    (lambda: compose_affine(torch.rand(2, 5), torch.rand(2, 6)), "outer must be [..., 6], got shape (2, 5)"),
])
def test_building_blocks_refuse_a_wrong_shape_by_name(call, message):
    "Was: 'not enough values to unpack (expected 6, got 5)', torch's size mismatch, or (capsule_posterior) no error."
    with pytest.raises(ValueError) as e:
        call()
    assert message in str(e.value)


def _ocae_inputs(B=2, M=40):
    g = torch.Generator().manual_seed(0)
    return (torch.rand(B, M, 6, generator=g), torch.rand(B, M, generator=g), torch.rand(B, M, 16, generator=g),
            torch.rand(B, M, 1, 11, 11, generator=g))


# ---- 2. (rv58a #2) OCAE refuses presences outside [0, 1] on the CPU, outside torch.compile
def test_ocae_refuses_presence_outside_unit_interval_on_cpu():
    "Was: OCAE()(pose, presence * 5, ...) returned u, m and the losses without a word."
    pose, presence, features, templates = _ocae_inputs()
    ocae = OCAE()
    with pytest.raises(ValueError, match=r"^float presence must lie in \[0, 1\], got values in \[[0-9.]+, [0-9.]+\]$"):
        ocae(pose, presence * 5, features, templates)
    with pytest.raises(ValueError, match="presence holds 80 NaN/Inf values"):
        ocae(pose, torch.full_like(presence, float("nan")), features, templates)
    assert ocae(pose, presence, features, templates).log_prob.isfinite()          # in [0, 1]: as before


def test_ocae_checks_stay_out_of_the_compiled_graph():
    "The shape and value checks add no graph break: dynamo traces OCAE.forward in one graph (fullgraph=True)."
    pose, presence, features, templates = _ocae_inputs()
    ocae = OCAE(noise_scale=0.)
    compiled = torch.compile(ocae, backend="eager", fullgraph=True)
    torch.testing.assert_close(compiled(pose, presence, features, templates).log_prob,
                               ocae(pose, presence, features, templates).log_prob)


# ---- 3. (rv58a #3, rv62b #9) 04_losses writes n_c for the number of classes, as 04a_model does
def _maths(text: str) -> list:
    return re.findall(r"\$[^$]*\$", text)


def test_losses_writes_n_c_for_the_number_of_classes():
    "Was: $C$ (channels) before rv58a, then $N$ (a set's size in 01, 03a and 04a) before rv62b."
    text = "\n".join(t for _, t in _markdown("04_losses.ipynb"))
    for symbol in ("C", "N"):
        bad = [m for m in _maths(text) if re.search(rf"(?<![A-Za-z\\_]){symbol}(?![A-Za-z_])", m)]
        assert not bad, (symbol, bad)
    for formula in ("$B/n_c$", "K / n_c", r"\frac{B}{n_c}", "$n_c$ = `n_classes`", "$c_b = B/n_c$ ($n_c$ classes)"):
        assert formula in text, formula


def test_pcae_promises_what_losses_writes():
    assert "the number of classes, in [04_losses](losses.html), is $n_c$" in "\n".join(
        t for _, t in _markdown("02_pcae.ipynb"))


# ---- 4. (rv58a #4) 00_data: a reading guide to the model's sections, a detour note at each plumbing section
def test_data_chapter_has_a_reading_guide_and_detour_notes():
    "Was: the intro led straight into ~55 cells of torchvision/pip/data-folder handling, with no way round them."
    cells = _markdown("00_data.ipynb")
    intro = next(t for _, t in cells if t.startswith("Stacked Capsule Autoencoders learn without labels"))
    for anchor in ("#the-official-translation-augmentation", "#the-sobel-edge-target-svhn-cifar-10", "#datasets"):
        assert f"]({anchor})" in intro, anchor
    plumbing = ("## torchvision, imported where a dataset is read", "## Where the data lives",
                "## Images in, images out", "## Reading MNIST's files", "### Reading a dataset, and what can go wrong")
    for heading in plumbing:
        text = next((t for _, t in cells if t.startswith(heading + "\n")), None)
        assert text is not None, heading
        assert text.split("\n\n")[1].startswith("*A detour, not the model:*"), heading
        assert re.search(r"\]\((#[\w-]+|loaders\.html)\)", text.split("\n\n")[1]), heading
