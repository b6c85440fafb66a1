'use strict';
// The charge form of a price book (catalog/admin_charges.py): shows only the selected pricing
// model's inputs, and edits tiers as table rows ("Add a tier" starts the new row where the
// previous one ends; a removed row is renumbered away). Without this script every input is shown
// and the spare empty rows of the table are how tiers are added.
{
    const $ = django.jQuery;
    const LABELS = {
        from: 'from', to: 'to', unit_price: 'unit price', rate: 'rate (%)', flat_fee: 'flat fee',
    };

    // A table's columns: its tiers are priced by a unit price, or by a rate (graduated percentage).
    function keysOf(editor) {
        return ['from', 'to', editor.dataset.price || 'unit_price', 'flat_fee'];
    }

    function isTemplate(element) {
        return /__prefix__/.test(element.getAttribute('name') || element.id || '');
    }

    // A hidden model's tiers table leaves the form, set aside with what was typed in it, and
    // comes back when its model is selected again: a charge has one tiers table at a time (the
    // tiered models' tables, unit price or rate, share their row markup), so the hidden table's
    // rows are neither counted with the shown one's nor posted.
    function park(fieldset) {
        fieldset.querySelectorAll('.tiers-editor').forEach((editor) => {
            const spot = document.createElement('div');
            spot.className = 'tiers-parked';
            spot.hidden = true;
            spot.tiersEditor = editor;
            editor.replaceWith(spot);
        });
    }

    function unpark(fieldset) {
        fieldset.querySelectorAll('.tiers-parked').forEach((spot) => {
            spot.replaceWith(spot.tiersEditor);
        });
    }

    function showModel(select) {
        const box = select.closest('.inline-related') || select.form;
        if (!box) {
            return;
        }
        box.querySelectorAll('fieldset.charge-params').forEach((fieldset) => {
            const shown = fieldset.classList.contains('charge-params-' + select.value);
            fieldset.style.display = shown ? '' : 'none';
            if (shown) {
                unpark(fieldset);
            } else {
                park(fieldset);
            }
        });
    }

    function rows(editor) {
        return Array.from(editor.querySelectorAll('tbody tr.tier-row'));
    }

    function input(row, key) {
        return row.querySelector('input.tier-input-' + key);
    }

    function isBlank(row) {
        return keysOf(row.closest('.tiers-editor')).every((key) => input(row, key).value.trim() === '');
    }

    // Names and ids follow the rows' order: <field>-<row>-<key>.
    function renumber(editor) {
        const first = input(rows(editor)[0], 'from');
        const name = first.name.replace(/-\d+-from$/, '');
        const id = first.id.replace(/-\d+-from$/, '');
        rows(editor).forEach((row, index) => {
            row.querySelector('.tier-number').textContent = String(index + 1);
            keysOf(editor).forEach((key) => {
                const cell = input(row, key);
                cell.name = name + '-' + index + '-' + key;
                cell.id = id + '-' + index + '-' + key;
                cell.setAttribute('aria-label', 'Tier ' + (index + 1) + ', ' + LABELS[key]);
                if (index > 0) {
                    cell.removeAttribute('placeholder');
                }
            });
            row.querySelector('.tiers-remove').setAttribute('aria-label', 'Remove tier ' + (index + 1));
        });
    }

    function addRow(editor) {
        const all = rows(editor);
        const last = all[all.length - 1];
        const row = last.cloneNode(true);
        row.classList.remove('tier-spare');
        row.querySelectorAll('.tier-cell-error').forEach((cell) => cell.classList.remove('tier-cell-error'));
        keysOf(editor).forEach((key) => {
            const cell = input(row, key);
            cell.value = '';
            cell.removeAttribute('aria-invalid');
            cell.removeAttribute('title');
        });
        input(row, 'from').value = input(last, 'to').value.trim();
        last.after(row);
        renumber(editor);
        input(row, input(row, 'from').value ? 'to' : 'from').focus();
    }

    function removeRow(editor, row) {
        if (rows(editor).length > 1) {
            row.remove();
        } else {
            keysOf(editor).forEach((key) => { input(row, key).value = ''; });
        }
        renumber(editor);
    }

    // The server renders spare empty rows for use without JavaScript: with it, the trailing
    // empty rows go (one stays when there is no tier yet), and buttons add and remove rows.
    function setUpTable(editor) {
        const all = rows(editor);
        while (all.length > 1 && isBlank(all[all.length - 1])) {
            all.pop().remove();
        }
        editor.querySelectorAll('.tiers-add, .tiers-remove').forEach((button) => {
            button.hidden = false;
        });
        renumber(editor);
    }

    // The tables first: a table set aside by showModel is set up already.
    function setUp(root) {
        root.querySelectorAll('.tiers-editor').forEach((editor) => {
            const first = editor.querySelector('input.tier-input-from');
            if (first && !isTemplate(first) && !editor.dataset.ready) {
                editor.dataset.ready = 'yes';
                setUpTable(editor);
            }
        });
        root.querySelectorAll('select.charge-pricing-model').forEach((select) => {
            if (!isTemplate(select)) {
                showModel(select);
            }
        });
    }

    // jQuery's delegation also hears the change events select2 triggers.
    $(document).on('change', 'select.charge-pricing-model', function() {
        showModel(this);
    });

    document.addEventListener('click', (event) => {
        const add = event.target.closest('.tiers-add');
        const remove = event.target.closest('.tiers-remove');
        if (add) {
            event.preventDefault();
            addRow(add.closest('.tiers-editor'));
        } else if (remove) {
            event.preventDefault();
            removeRow(remove.closest('.tiers-editor'), remove.closest('tr.tier-row'));
        }
    });

    // A changed end moves the next tier's start along when it still showed the old end.
    document.addEventListener('focusin', (event) => {
        if (event.target.matches('input.tier-input-to')) {
            event.target.dataset.before = event.target.value.trim();
        }
    });
    document.addEventListener('change', (event) => {
        const to = event.target;
        if (!to.matches('input.tier-input-to')) {
            return;
        }
        const next = to.closest('tr.tier-row').nextElementSibling;
        if (next) {
            const from = input(next, 'from');
            if (from.value.trim() === '' || from.value.trim() === (to.dataset.before || '')) {
                from.value = to.value.trim();
            }
        }
        to.dataset.before = to.value.trim();
    });

    $(function() {
        setUp(document);
    });
    document.addEventListener('formset:added', (event) => {
        setUp(event.target);
    });
}
