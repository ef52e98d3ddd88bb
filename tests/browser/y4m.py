"""Video files for Chromium's fake camera: YUV4MPEG2, 4:2:0, written plane by plane."""

from pathlib import Path

from PIL import Image

WIDTH, HEIGHT = 640, 480


def frame_with(image: Image.Image, size: int = 400) -> Image.Image:
    """A camera frame: the image (a QR code) centred on white, as a phone would hold it."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), "white")
    picture = image.convert("RGB").resize((size, size), Image.NEAREST)
    frame.paste(picture, ((WIDTH - size) // 2, (HEIGHT - size) // 2))
    return frame


def write_y4m(path: Path, frames: list[Image.Image], fps: int = 1) -> Path:
    """Write the frames as a YUV4MPEG2 file (full-range BT.601, chroma halved both ways)."""
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            y, u, v = frame.convert("YCbCr").split()
            half = (WIDTH // 2, HEIGHT // 2)
            out.write(b"FRAME\n")
            out.write(y.tobytes())
            out.write(u.resize(half, Image.BILINEAR).tobytes())
            out.write(v.resize(half, Image.BILINEAR).tobytes())
    return path
