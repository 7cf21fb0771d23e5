"""Rushes menu entry (Workspace > Scripts > Utility), installed by `rushes resolve install --python`."""
import sys

SUPPORT = "@@RUSHES_SUPPORT@@"


def main() -> None:
    sys.path.insert(0, SUPPORT)
    import rushes_menu

    rushes_menu.run("search", globals(), SUPPORT)


if __name__ == "__main__":
    main()
