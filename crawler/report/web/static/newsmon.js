/* Datasette's table pages set this flag in an inline script, which newsmon's
   Content-Security-Policy blocks; its column menus read it (and fail without it).
   Facets are on in `newsmon serve`, as in Datasette. */
window.DATASETTE_ALLOW_FACET = true;
