"""On-screen text and slates: OCR of keyframes (PP-OCRv4 through rapidocr-onnxruntime), stored as
`rushes.catalog.texts` records (source 'screen') and a per-media `Slate`."""
