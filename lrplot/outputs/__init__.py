"""Outputs: CSV text, figure bytes, and the atomic writers that put them on disk.

Which formats exist is :mod:`lrplot.formats`; this package makes and writes their bytes.
"""
