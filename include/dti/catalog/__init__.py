"""The indicator catalog as data: the catalog seeds as the pipeline reads them, and loading the
Ministry's appendix into them.

``seeds`` is where the catalog seeds and a province's reporting units are read, for everyone who
reads them. ``appendix`` reads the appendix as provinces circulate it (.xlsx or .csv), ``rules``
turns its Vietnamese rule texts into the catalog's scoring rules, and ``importer`` merges it into
``dbt_project/seeds/catalog`` all or nothing (``dti catalog import``).
"""
