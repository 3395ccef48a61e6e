"""Reading MATLAB ``.mat`` (v4-v7) and NumPy ``.npy`` / ``.npz`` arrays: the classic
benchmark scenes (Indian Pines, Pavia, Salinas, ...), without map coordinates.

A ``.npy`` file is memory-mapped; an ``.npz`` member is read whole once its header says it
fits the memory available. Python objects are never unpickled, and a header that claims
more values than the file holds is refused. MATLAB v7.3 files are HDF5 and are refused
with a message saying how to re-save them.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

from ..common.errors import CrnnError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
V73_MESSAGE = (
    "MATLAB v7.3 (HDF5) files are not supported: re-save with save(..., '-v7') or "
    "export to .npy"
)
ARRAY_EXTENSIONS = (".mat", ".npy", ".npz")


@dataclass
class LoadedArray:
    array: np.ndarray
    name: str  # the variable name, or the file name for .npy


def describe_variables(variables: Sequence[Tuple[str, Tuple[int, ...], str]]) -> str:
    """ "cube (145 x 145 x 200 uint16), gt (145 x 145 uint8)": a file's arrays, for a
    message that asks the user to name one."""
    if not variables:
        return "none"
    return ", ".join(f"{name} ({' x '.join(str(s) for s in shape)} {kind})"
                     for name, shape, kind in variables)


def _check_not_hdf5(path: str) -> None:
    with open(path, "rb") as stream:
        head = stream.read(2048)
    # MATLAB v7.3 files are HDF5 with a 512-byte user block after the text header; HDF5
    # looks for its signature at 0, 512, 1024, ...; we accept it anywhere in the head.
    if HDF5_SIGNATURE in head or head[:128].lstrip().startswith(b"MATLAB 7.3"):
        raise CrnnError(f"'{os.path.basename(path)}': {V73_MESSAGE}.")


def _mat_variables(path: str) -> List[Tuple[str, Tuple[int, ...], str]]:
    import scipy.io

    _check_not_hdf5(path)
    try:
        return [(name, tuple(shape), kind) for name, shape, kind in scipy.io.whosmat(path)]
    except NotImplementedError:
        raise CrnnError(f"'{os.path.basename(path)}': {V73_MESSAGE}.") from None
    except Exception as error:  # scipy raises ValueError, TypeError, ... on bad files
        raise CrnnError(f"Cannot read the MATLAB file '{path}': {error}") from None


def _load_mat(path: str, name: str) -> np.ndarray:
    import scipy.io

    try:
        data = scipy.io.loadmat(path, variable_names=[name])
    except NotImplementedError:
        raise CrnnError(f"'{os.path.basename(path)}': {V73_MESSAGE}.") from None
    except Exception as error:
        raise CrnnError(f"Cannot read variable '{name}' of '{path}': {error}") from None
    return np.asarray(data[name])


def _size_text(nbytes: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= size:
            return f"{nbytes / size:.1f} {unit}"
    return f"{nbytes} bytes"


def available_memory() -> Optional[int]:
    """Bytes of memory a new allocation may take: Linux's MemAvailable, else the physical
    memory where the system says it, else None (unknown)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def _npy_header(stream, name: str, path: str, stored: int, check: bool = True
                ) -> Tuple[Tuple[int, ...], np.dtype, int]:
    """(shape, dtype, bytes of values) that the .npy header at ``stream``'s start
    declares, read without the values. With ``check``, refuses Python objects (loading
    them could run code) and a header that declares more values than the ``stored``
    bytes hold (a damaged file, or a crafted one: numpy would try to allocate what it
    claims)."""
    base = os.path.basename(path)
    where = f"'{name}' in '{base}'" if name != base else f"'{base}'"
    try:
        version = np.lib.format.read_magic(stream)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)  # 3.0: 2.0's layout
        shape, _, dtype = read_header(stream)
    except (ValueError, TypeError, EOFError, OSError) as error:
        raise CrnnError(f"The array {where} is not a NumPy array ({error}). Save it with "
                        "np.save or np.savez.") from None
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    held = stored - stream.tell()
    if check and dtype.hasobject:
        raise CrnnError(
            f"The array {where} holds Python objects ({dtype}), which are never read: "
            "loading them could run code. Save a numeric array (no pickled objects), e.g. "
            "cube.astype('float32').")
    if check and nbytes > held:
        raise CrnnError(
            f"The array {where} is damaged: its header says {' x '.join(map(str, shape))} "
            f"{dtype} ({_size_text(nbytes)}), but the file holds {_size_text(max(0, held))} "
            "of values. Save it again.")
    return tuple(shape), dtype, nbytes


def _npz_member(archive, name: str) -> str:
    """The zip member of ``archive``'s array ``name`` (np.savez adds '.npy')."""
    names = archive.zip.namelist()
    return name + ".npy" if name + ".npy" in names else name


def _npz_variables(archive) -> List[Tuple[str, Tuple[int, ...], str]]:
    """The archive's arrays (name, shape, dtype) from their headers, no values read (an
    array of objects is listed; reading it is refused); members that are no NumPy array
    are left out."""
    variables = []
    for name in archive.files:
        try:
            with archive.zip.open(_npz_member(archive, name)) as stream:
                is_array = stream.read(len(np.lib.format.MAGIC_PREFIX)) == \
                    np.lib.format.MAGIC_PREFIX
        except Exception as error:  # zipfile raises BadZipFile, zlib.error, OSError, ...
            raise CrnnError(f"Cannot read '{name}' in the NumPy archive "
                            f"'{archive.zip.filename}': {error}") from None
        if is_array:
            shape, dtype, _ = _npz_header(archive, name, check=False)
            variables.append((name, shape, str(dtype)))
    return variables


def _npz_header(archive, name: str, check: bool = True
                ) -> Tuple[Tuple[int, ...], np.dtype, int]:
    """:func:`_npy_header` of the archive's array ``name``."""
    member = _npz_member(archive, name)
    path = archive.zip.filename
    try:
        stored = archive.zip.getinfo(member).file_size
        with archive.zip.open(member) as stream:
            return _npy_header(stream, name, path, stored, check)
    except CrnnError:
        raise
    except Exception as error:  # zipfile raises BadZipFile, zlib.error, OSError, ...
        raise CrnnError(f"Cannot read '{name}' in the NumPy archive '{path}': {error}") \
            from None


def _load_npz(archive, name: str) -> np.ndarray:
    """The array ``name`` of an .npz archive, read whole once its header is checked: no
    objects, values present, and no larger than the memory available (an .npz member
    cannot be memory-mapped; a .npy file can, and is)."""
    path = archive.zip.filename
    shape, dtype, nbytes = _npz_header(archive, name)
    memory = available_memory()
    if memory is not None and nbytes > memory:
        raise CrnnError(
            f"The array '{name}' in '{os.path.basename(path)}' is "
            f"{' x '.join(map(str, shape))} {dtype} ({_size_text(nbytes)}), more than the "
            f"{_size_text(memory)} of memory available: an .npz array is read whole. Save "
            "it as .npy (np.save), which is read piece by piece.")
    try:
        return np.asarray(archive[name])
    except MemoryError:
        raise CrnnError(f"Not enough memory to read the array '{name}' "
                        f"({_size_text(nbytes)}) of '{os.path.basename(path)}'. Save it as "
                        ".npy (np.save), which is read piece by piece.") from None
    except Exception as error:  # a damaged member: BadZipFile, zlib.error, ValueError...
        raise CrnnError(f"Cannot read '{name}' in the NumPy archive '{path}': {error}") \
            from None


@contextlib.contextmanager
def _open_npz(path: str):
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as error:
        raise CrnnError(f"Cannot read the NumPy archive '{path}': {error}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):  # a .npy under an .npz name
        raise CrnnError(f"'{path}' is not a NumPy archive (a zip of arrays): save it with "
                        "np.savez, or name it .npy.")
    try:
        yield archive
    finally:
        archive.close()


def choose_variable(
    variables: Sequence[Tuple[str, Tuple[int, ...], str]],
    wanted: Optional[str],
    ndim: int,
    path: str,
    role: str,
    shape_2d: Optional[Tuple[int, int]] = None,
) -> str:
    """The named variable, or the default: the largest ``ndim``-D array (for a ground
    truth, the only 2-D array with the cube's rows and columns)."""
    names = [name for name, _, _ in variables]
    if wanted:
        if wanted not in names:
            raise CrnnError(
                f"The {role} variable '{wanted}' is not in '{os.path.basename(path)}'. "
                f"Its variables are: {describe_variables(variables)}."
            )
        return wanted
    candidates = [(name, shape) for name, shape, _ in variables if len(shape) == ndim]
    if ndim == 2 and shape_2d is not None:
        matching = [(n, s) for n, s in candidates if tuple(s[:2]) == tuple(shape_2d)]
        if len(matching) > 1:
            raise CrnnError(
                f"'{os.path.basename(path)}' has several 2-D arrays of {shape_2d[0]} x "
                f"{shape_2d[1]}: {', '.join(n for n, _ in matching)}. Name the ground "
                "truth variable."
            )
        candidates = matching or candidates
    if not candidates:
        raise CrnnError(
            f"'{os.path.basename(path)}' has no {ndim}-D array for the {role}. Its "
            f"variables are: {describe_variables(variables)}."
        )
    return max(candidates, key=lambda item: int(np.prod(item[1])))[0]


def read_array(path: str, variable: Optional[str] = None, ndim: int = 3, role: str = "cube",
               shape_2d: Optional[Tuple[int, int]] = None) -> LoadedArray:
    """Read an array from a .mat (v4-v7), .npy or .npz file.

    ``.npy`` files are memory-mapped (never pickles), so a large cube is read as it is
    written. For .mat and .npz, ``variable`` names the array; by default the largest
    ``ndim``-D one is taken.
    """
    if not os.path.isfile(path):
        raise CrnnError(f"The file '{path}' does not exist.")
    extension = os.path.splitext(path)[1].lower()
    if extension == ".npy":
        try:
            with open(path, "rb") as stream:
                _npy_header(stream, os.path.basename(path), path, os.path.getsize(path))
        except OSError as error:
            raise CrnnError(f"Cannot read the NumPy file '{path}': {error}.") from None
        try:
            array = np.load(path, mmap_mode="r", allow_pickle=False)
        except Exception as error:
            raise CrnnError(
                f"Cannot read the NumPy file '{path}': {error}. Save it with np.save "
                "(numeric array, no pickled objects)."
            ) from None
        return LoadedArray(array, os.path.basename(path))
    if extension == ".mat":
        variables = _mat_variables(path)
        name = choose_variable(variables, variable, ndim, path, role, shape_2d)
        return LoadedArray(_load_mat(path, name), name)
    if extension == ".npz":
        with _open_npz(path) as archive:
            name = choose_variable(_npz_variables(archive), variable, ndim, path, role,
                                   shape_2d)
            return LoadedArray(_load_npz(archive, name), name)
    raise CrnnError(f"'{path}' is not a .mat, .npy or .npz file.")


def is_array_file(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in ARRAY_EXTENSIONS


def ground_truth_array_shape(path: str, variable: Optional[str]) -> Tuple[int, ...]:
    """The stored shape of a ground truth in an array file, read before the cube (a hint
    for the cube's axis order); () where the file has no single 2-D array to take."""
    if path.lower().endswith(".npy") or variable:
        return read_array(path, variable, 2, "ground truth").array.shape
    with contextlib.ExitStack() as stack:
        if path.lower().endswith(".npz"):
            archive = stack.enter_context(_open_npz(path))
            listing = _npz_variables(archive)
        else:
            listing = _mat_variables(path)
    flat = [shape for _, shape, _ in listing if len(shape) == 2]
    return flat[0] if len(flat) == 1 else ()
