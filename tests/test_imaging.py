"""The image pipeline: every kind of bad file, and the invariants that make photos work."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from PIL import Image

from fmnist import imaging
from fmnist.imaging import ImageTooLargeError, NoItemFoundError, UnreadableImageError, convert, to_model_input


def png_bytes(image: Image.Image, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=kwargs.pop("format", "PNG"), **kwargs)
    return buffer.getvalue()


def as_photo(item: np.ndarray, size=(200, 160), offset=(30, 20), scale=4, background=225) -> Image.Image:
    """A dataset item, dark on a light background (ink absorbs light), scaled up and placed off-centre."""
    ink = np.asarray(Image.fromarray(item).resize((28 * scale, 28 * scale), Image.BICUBIC), dtype=np.float32) / 255
    coverage = np.zeros((size[1], size[0]), np.float32)
    left, top = offset
    coverage[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    return Image.fromarray((background * (1 - coverage)).astype(np.uint8))


def aligned_error(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference, allowing the one-pixel shift that centring may round to."""
    a, b = a.astype(int), b.astype(int)
    return min(np.abs(np.roll(a, (dy, dx), axis=(0, 1)) - b).mean() for dy in (-1, 0, 1) for dx in (-1, 0, 1))


@pytest.fixture(scope="module")
def trouser(test_split):
    images, labels = test_split
    return images[int(np.flatnonzero(labels == 1)[0])]


@pytest.fixture(scope="module")
def boot(test_split):
    images, labels = test_split
    return images[int(np.flatnonzero(labels == 9)[0])]


# --- bad input: each gives one clear sentence ------------------------------------------------------


def test_empty_file(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(UnreadableImageError, match="empty"):
        to_model_input(path)


def test_random_bytes():
    with pytest.raises(UnreadableImageError, match="not an image"):
        to_model_input(os.urandom(5000))


def test_text_file_named_png(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("these are my shopping notes, not a picture")
    with pytest.raises(UnreadableImageError, match="not an image"):
        to_model_input(path)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_files(boot, fmt):
    data = png_bytes(as_photo(boot).convert("RGB"), format=fmt)
    with pytest.raises(UnreadableImageError, match="damaged or truncated"):
        to_model_input(data[: len(data) // 2])


def test_decompression_bomb_is_refused_before_decoding():
    bomb = png_bytes(Image.new("1", (20000, 20000)), optimize=True)
    assert len(bomb) < 100_000  # a few KB on disk …
    with pytest.raises(ImageTooLargeError, match="megapixels"):  # … refused from the header alone
        to_model_input(bomb)


def test_file_over_size_cap():
    with pytest.raises(ImageTooLargeError, match="MB"):
        to_model_input(b"\x89PNG" + bytes(imaging.MAX_FILE_BYTES))


def test_animated_gif_uses_first_frame(boot, trouser):
    frames = [Image.fromarray(boot), Image.fromarray(trouser)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    result = to_model_input(buffer.getvalue())
    assert np.abs(result.astype(int) - boot.astype(int)).mean() < 3


def test_16bit_grayscale_png(boot):
    sixteen = Image.fromarray(boot.astype(np.uint16) * 257)  # full 16-bit range
    assert sixteen.mode.startswith("I")
    result = to_model_input(png_bytes(sixteen))
    assert np.abs(result.astype(int) - boot.astype(int)).max() <= 1


def test_cmyk_jpeg(boot):
    cmyk = as_photo(boot).convert("RGB").convert("CMYK")
    result = to_model_input(png_bytes(cmyk, format="JPEG", quality=95))
    reference = to_model_input(as_photo(boot))
    assert np.abs(result.astype(int) - reference.astype(int)).mean() < 12


def test_rgba_with_transparency(boot):
    rgba = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    item = Image.fromarray(boot).resize((84, 84)).convert("RGBA")
    item.putalpha(Image.fromarray(boot).resize((84, 84)))
    rgba.paste(item, (10, 20))
    result = to_model_input(png_bytes(rgba))
    assert result.max() == 255 and result[0].max() < 40  # bright item, dark border


def test_palette_with_transparency(trouser):
    pal = Image.fromarray(255 - trouser).resize((56, 56)).convert("P", palette=Image.ADAPTIVE, colors=16)
    pal.info["transparency"] = pal.getpixel((0, 0))  # the light background colour becomes transparent
    result = convert(png_bytes(pal, transparency=pal.info["transparency"]))
    assert result.image.shape == (28, 28) and result.image.max() == 255


def test_exif_rotated_jpeg(trouser):
    upright = as_photo(trouser).convert("RGB")
    stored = upright.rotate(90, expand=True)  # as a sideways camera stores it
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    rotated = to_model_input(png_bytes(stored, format="JPEG", quality=95, exif=exif))
    reference = to_model_input(png_bytes(upright, format="JPEG", quality=95))
    assert np.abs(rotated.astype(int) - reference.astype(int)).mean() < 6


def test_one_pixel_image():
    with pytest.raises(NoItemFoundError, match="No item found"):
        to_model_input(png_bytes(Image.new("RGB", (1, 1), (200, 10, 10))))


@pytest.mark.parametrize("colour", [(255, 255, 255), (0, 0, 0), (120, 180, 60)])
def test_blank_image_finds_no_item(colour):
    with pytest.raises(NoItemFoundError, match="No item found"):
        to_model_input(Image.new("RGB", (300, 200), colour))


def test_noise_only_image_finds_no_item():
    rng = np.random.default_rng(0)
    noisy = np.clip(200 + rng.normal(0, 4, (240, 240)), 0, 255).astype(np.uint8)
    with pytest.raises(NoItemFoundError):
        to_model_input(Image.fromarray(noisy))


# --- invariants ------------------------------------------------------------------------------------


def test_dataset_images_pass_through_unchanged(test_split):
    images, _ = test_split
    for item in images[:200]:
        assert np.array_equal(to_model_input(Image.fromarray(item)), item)


@pytest.mark.parametrize(
    "variant",
    [
        dict(offset=(10, 10)),
        dict(offset=(80, 40)),
        dict(scale=3),
        dict(scale=5, size=(320, 300), offset=(100, 120)),
        dict(background=170),
    ],
)
def test_photo_of_item_recovers_dataset_image(test_split, variant):
    images, _ = test_split
    errors = [aligned_error(to_model_input(as_photo(item, **variant)), item) for item in images[:30]]
    # Resampling twice blurs texture a little; a missed inversion or crop would be off by 60 or more.
    assert np.median(errors) < 13 and max(errors) < 45


def test_twelve_megapixel_photo_recovers_dataset_image(test_split):
    """A phone's 4000×3000 photo is sampled before it is averaged down (`imaging.small_rgb`): as good as a small one."""
    images, _ = test_split
    errors = [aligned_error(to_model_input(as_photo(item, size=(4000, 3000), offset=(700, 100), scale=100)), item) for item in images[:8]]
    assert np.median(errors) < 13 and max(errors) < 45


def test_twelve_megapixel_jpeg_is_decoded_small_and_recovers_dataset_image(test_split):
    """A phone's JPEG, as uploaded: decoded at 1/4 scale (Pillow's draft), no worse for it."""
    images, _ = test_split
    uploads = []
    for item in images[:8]:
        buffer = io.BytesIO()
        as_photo(item, size=(4000, 3000), offset=(700, 100), scale=100).save(buffer, format="JPEG", quality=90)
        uploads.append(buffer.getvalue())
    assert imaging.open_image(uploads[0]).size == (4000, 3000)  # whole, unless the caller says how much it needs
    assert imaging.open_image(uploads[0], longest=2 * imaging.PHOTO_SIZE).size == (1000, 750)
    photo = imaging.open_image(uploads[0])
    mpo = io.BytesIO()  # what some phones write: a JPEG followed by more frames
    photo.save(mpo, format="MPO", save_all=True, append_images=[photo.resize((400, 300))])
    assert imaging.open_image(mpo.getvalue(), longest=2 * imaging.PHOTO_SIZE).size == (1000, 750)
    errors = [aligned_error(to_model_input(upload), item) for upload, item in zip(uploads, images)]
    assert np.median(errors) < 13 and max(errors) < 45


def test_inverted_item_gives_same_input(boot):
    dark_on_light = to_model_input(as_photo(boot))
    bright_on_dark = to_model_input(Image.fromarray(255 - np.asarray(as_photo(boot))))
    assert np.abs(dark_on_light.astype(int) - bright_on_dark.astype(int)).mean() < 3


def test_gradient_and_noise_are_ignored(boot):
    photo = np.asarray(as_photo(boot, size=(240, 240)), dtype=np.float32)
    yy, xx = np.mgrid[0:240, 0:240]
    rng = np.random.default_rng(1)
    lit = np.clip(photo - 0.15 * xx + 0.1 * yy + rng.normal(0, 5, photo.shape), 0, 255).astype(np.uint8)
    clean = to_model_input(as_photo(boot, size=(240, 240)))
    assert np.abs(to_model_input(Image.fromarray(lit)).astype(int) - clean.astype(int)).mean() < 10


def test_steps_are_kept_for_display(boot):
    result = convert(as_photo(boot))
    assert [caption for caption, _ in result.steps][-1] == "28×28 model input"
    assert len(result.steps) == 5 and result.inverted  # photo, segmentation, item on black, crop, input
    assert all(step.dtype == np.uint8 for _, step in result.steps)


def test_segmentation_step_shows_the_mask_over_the_photo(boot):
    photo = as_photo(boot, background=200)
    caption, shown = convert(photo).steps[1]
    assert "item found" in caption and shown.shape == (160, 200, 3)
    assert shown[:10, :10].max() == 200 // 4  # the background is dimmed …
    ink = np.asarray(photo) < 100
    assert (shown[ink][:, 0] == np.asarray(photo)[ink]).mean() > 0.95  # … the item is shown as it is


# --- colour photos ---------------------------------------------------------------------------------


def coloured(item: np.ndarray, item_rgb, background_rgb, size=(240, 200), offset=(40, 30), scale=5) -> Image.Image:
    """A dataset item's silhouette in one colour on a background of another (maybe an array: a pattern)."""
    shape = np.asarray(Image.fromarray(item).resize((28 * scale, 28 * scale), Image.BICUBIC), dtype=np.float32)[..., None] / 255
    rgb = np.empty((size[1], size[0], 3), np.float32)
    rgb[:] = background_rgb
    left, top = offset
    area = rgb[top : top + shape.shape[0], left : left + shape.shape[1]]
    area[:] = area * (1 - np.minimum(1, shape * 3)) + np.asarray(item_rgb, np.float32) * np.minimum(1, shape * 3)
    return Image.fromarray(rgb.astype(np.uint8))


def silhouette_overlap(result: np.ndarray, item: np.ndarray) -> float:
    """Intersection over union of the bright pixels, allowing a one-pixel shift."""
    a = result > 40
    return max(
        (np.roll(a, (dy, dx), axis=(0, 1)) & (item > 40)).sum() / (np.roll(a, (dy, dx), axis=(0, 1)) | (item > 40)).sum()
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )


def test_item_as_light_as_the_background_is_found_by_its_colour(boot):
    # A pale blue boot on a light grey sheet: 7 grey levels apart, 39 RGB units apart.
    photo = coloured(boot, (200, 220, 255), (225, 225, 225))
    assert silhouette_overlap(to_model_input(photo), boot) > 0.7


def test_patterned_background_is_not_the_item(trouser):
    stripes = np.zeros((200, 240, 3), np.float32)
    stripes[:] = (230, 200, 120)
    stripes[(np.arange(200) // 12) % 2 == 1] = (90, 140, 200)  # a striped bed sheet
    photo = coloured(trouser, (30, 30, 60), stripes)
    assert silhouette_overlap(to_model_input(photo), trouser) > 0.7


def pair_of(shoes: list[np.ndarray], size=(330, 200), background=(215, 215, 215)) -> Image.Image:
    """Shoes (28×28 dataset items) in dark brown side by side on a light floor, each maybe turned."""
    photo = np.empty((size[1], size[0], 3), np.float32)
    photo[:] = background
    width = size[0] // len(shoes)
    scale = (min(width, size[1]) - 20) // 28
    side = 28 * scale
    for i, shoe in enumerate(shoes):
        shot = coloured(shoe, (60, 40, 30), background, size=(side, side), offset=(0, 0), scale=scale)
        photo[10 : 10 + side, i * width + 10 : i * width + 10 + side] = np.asarray(shot)
    return Image.fromarray(photo.astype(np.uint8))


def test_same_photo_same_input_whatever_came_before(boot):
    # OpenCV's k-means and GrabCut draw random numbers; what ran before (another user's photo) must not matter.
    import cv2

    rng = np.random.default_rng(3)
    floor = cv2.GaussianBlur(rng.integers(0, 255, (200, 240, 3)).astype(np.float32), (0, 0), 6)
    floor = (floor - floor.min()) / (floor.max() - floor.min()) * 200 + 30  # a blotchy, many-coloured floor
    ink = np.asarray(Image.fromarray(boot).resize((140, 140)), np.float32)[..., None] / 255
    floor[30:170, 50:190] = floor[30:170, 50:190] * (1 - ink) + np.array([40, 40, 120]) * ink
    photo = Image.fromarray(floor.astype(np.uint8))
    inputs = []
    for seed in range(4):
        cv2.setRNGSeed(seed)  # as any earlier use of OpenCV's random numbers leaves them
        inputs.append(to_model_input(photo))
    assert all(np.array_equal(inputs[0], other) for other in inputs[1:])


def test_pair_of_shoes_gives_one(boot):
    conversion = convert(pair_of([boot, boot]))
    assert silhouette_overlap(conversion.image, boot) > 0.7  # one boot filling the frame, not two side by side
    captions = [caption for caption, _ in conversion.steps]
    assert "One shoe of the pair kept" in captions and "Turned to lie flat, pointing left" in captions
    kept = conversion.steps[captions.index("One shoe of the pair kept")][1]
    shown = kept.max(axis=(0, 2)) > 215 // 4  # columns where the photo is shown undimmed
    assert shown[: kept.shape[1] // 2].any() != shown[kept.shape[1] // 2 :].any()  # one half of the photo only


def test_right_pointing_tilted_shoes_are_turned_to_point_left(boot):
    # A left and a right boot, both tilted by 30°, the larger pointing right: the dataset's boot points left.
    right = np.asarray(Image.fromarray(boot[:, ::-1]).rotate(30, resample=Image.BILINEAR))
    left = np.asarray(Image.fromarray(boot).rotate(-30, resample=Image.BILINEAR))
    conversion = convert(pair_of([left, right]))
    assert any("pointing left" in caption for caption, _ in conversion.steps)
    assert silhouette_overlap(conversion.image, boot) > 0.6
    assert silhouette_overlap(conversion.image, boot[:, ::-1].copy()) < silhouette_overlap(conversion.image, boot)


def test_lie_flat_pointing_left_levels_and_flips(boot):
    big = np.asarray(Image.fromarray(boot).resize((140, 140), Image.BICUBIC), dtype=np.float32)
    canvas = np.zeros((240, 240), np.float32)
    canvas[50:190, 50:190] = big[:, ::-1]  # pointing right …
    tilted = np.asarray(Image.fromarray(canvas.astype(np.uint8)).rotate(-40, resample=Image.BILINEAR), np.float32)  # and tilted
    turned = imaging.lie_flat_pointing_left(tilted)
    rows, cols = np.nonzero(turned > imaging.BOX_LEVEL)
    result = imaging.fit_into_square(turned[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1])
    assert silhouette_overlap(result, boot) > 0.7


def test_two_unlike_items_are_not_a_pair(boot, trouser):
    # A trouser beside a boot: two blobs of like area, unlike outlines; both stay, and nothing is turned.
    photo = pair_of([trouser, boot])
    conversion = convert(photo)
    assert not any("pair" in caption or "Turned" in caption for caption, _ in conversion.steps)
    assert imaging.one_of_pair(imaging.segment(imaging.small_rgb(photo))) is None


# --- the drawing canvas ----------------------------------------------------------------------------


def canvas_with(strokes: list[tuple[slice, slice]], background_alpha: int = 0) -> np.ndarray:
    """An RGBA array as the canvas returns it: white opaque strokes, the rest black."""
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = background_alpha
    for rows, cols in strokes:
        rgba[rows, cols] = (255, 255, 255, 255)
    return rgba


def test_empty_canvas_gives_nothing():
    assert imaging.drawing_to_input(None) is None
    assert imaging.drawing_to_input(canvas_with([])) is None
    assert imaging.drawing_to_input(canvas_with([], background_alpha=255)) is None


@pytest.mark.parametrize("background_alpha", [0, 255])
def test_canvas_drawing_becomes_centred_input(background_alpha):
    # Two vertical bars near the top-left corner: a pair of trouser legs, drawn small.
    conversion = imaging.drawing_to_input(canvas_with([(slice(20, 120), slice(20, 35)), (slice(20, 120), slice(50, 65))], background_alpha))
    image = conversion.image
    assert image.shape == (28, 28) and image.dtype == np.uint8
    rows, cols = np.nonzero(image > 128)
    assert rows.min() <= 1 and rows.max() >= 26  # the longest side fills the frame
    assert abs((cols.min() + cols.max()) / 2 - 13.5) <= 1.5  # centred
    assert image[:, :3].max() < 30 and not conversion.inverted  # bright strokes on black, as drawn


def test_small_blobs_away_from_the_item_are_ignored(boot):
    photo = np.asarray(as_photo(boot, size=(240, 200), offset=(60, 40)), dtype=np.uint8).copy()
    photo[:14, :14] = 40  # a dark corner marker, like a camera test pattern or a table edge
    photo[-10:, 200:230] = 60
    clean = to_model_input(as_photo(boot, size=(240, 200), offset=(60, 40)))
    assert np.abs(to_model_input(Image.fromarray(photo)).astype(int) - clean.astype(int)).mean() < 3
