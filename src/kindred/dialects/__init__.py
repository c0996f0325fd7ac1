"""Wire dialects: exact formats of other products' documents, translated over our services."""
