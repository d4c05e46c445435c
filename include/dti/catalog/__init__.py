"""The indicator catalog as data: loading the Ministry's appendix into the catalog seeds.

``appendix`` reads the appendix as provinces circulate it (.xlsx or .csv), ``rules`` turns its
Vietnamese rule texts into the catalog's scoring rules, and ``importer`` merges it into
``dbt_project/seeds/catalog`` all or nothing (``dti catalog import``).
"""
