"""Writers, one module per format (native, edl, fcp7, fcpxml); each checks its format's limits
before writing anything and returns the files it wrote. `rushes_otio.export` picks one by name."""
