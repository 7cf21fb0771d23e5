"""The SQLite catalog: WAL, versioned migrations, foreign keys, transactional writes."""
from .db import Catalog, CatalogError

__all__ = ["Catalog", "CatalogError"]
