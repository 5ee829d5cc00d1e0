"""The demo city: synthetic but realistic data for Zhongshan (中山市, 442000).

Everything here is invented: resident ID numbers and credit codes are checksum-valid but
belong to nobody; the 12-digit town codes follow the statistical pattern but are not the
confirmed official ones. ``loader.load_demo`` writes it all idempotently.
"""
