'use strict';
// Selects of core.admin_widgets.SearchableSelect become select2 boxes the user can type into.
// Uses the admin's bundled jQuery and select2 (no CDN). The options are already in the page:
// select2 only filters them. Rows added to an inline formset are set up when they appear; the
// hidden template row (its names contain __prefix__) is left alone so that clones start clean.
{
    const $ = django.jQuery;

    function setUp(root) {
        $(root).find('select.admin-searchable-select')
            .not('[name*=__prefix__]')
            .not('.select2-hidden-accessible')
            .each(function() {
                $(this).select2();
            });
    }

    $(function() {
        setUp(document);
    });

    document.addEventListener('formset:added', (event) => {
        setUp(event.target);
    });
}
