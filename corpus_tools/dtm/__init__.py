"""The document-term matrix stage: counts in memory (:mod:`.matrix`) and on disk (:mod:`.store`).

``from corpus_tools.dtm import DocTermMatrix, dtm, count_codes`` and the on-disk helpers keep
working as they did when this was one module.
"""

from .matrix import UNKNOWN_GROUP, DocTermMatrix, count_codes, dtm
from .store import (
    DOCVARS_FILE,
    DTM_FORMAT,
    DTM_FORMAT_VERSION,
    MANIFEST_FILE,
    MATRIX_FILE,
    TERMS_FILE,
    check_output_folder,
    output_folder,
    read_dtm,
    read_manifest,
    write_dtm,
    write_npz,
    write_sidecars,
)

__all__ = [
    "DOCVARS_FILE",
    "DTM_FORMAT",
    "DTM_FORMAT_VERSION",
    "MANIFEST_FILE",
    "MATRIX_FILE",
    "TERMS_FILE",
    "UNKNOWN_GROUP",
    "DocTermMatrix",
    "check_output_folder",
    "count_codes",
    "dtm",
    "output_folder",
    "read_dtm",
    "read_manifest",
    "write_dtm",
    "write_npz",
    "write_sidecars",
]
