// SPDX-License-Identifier: GPL-2.0-only
// The vGPU page: a thin client of gvtd's D-Bus API (org.gvtd1, docs/dbus-api.md).
// Everything shown comes from gvtd's objects and signals (ObjectManager,
// PropertiesChanged, the Manager's signals); every rule, check and message
// is gvtd's. The page keeps no timer: it redraws when gvtd says something changed.
"use strict";

const BUS_NAME = "org.gvtd1";
const MANAGER_PATH = "/org/gvtd1";
const MANAGER = "org.gvtd1.Manager";

// The Manager's type struct (sssuuusuu), by field (0 is the parent).
const T_TYPE = 1, T_NAME = 2, T_APERTURE = 3, T_HIDDEN = 4, T_FENCES = 5,
    T_RESOLUTION = 6, T_WEIGHT = 7, T_AVAILABLE = 8;

// The resources kvmgt accounts for: what a type takes, what a vGPU holds.
const RESOURCES = [
    { key: "aperture", label: "Aperture (low GM)", unit: "MiB", type: T_APERTURE, vgpu: "ApertureMiB" },
    { key: "hidden", label: "Hidden GM (high GM)", unit: "MiB", type: T_HIDDEN, vgpu: "HiddenMiB" },
    { key: "fences", label: "Fence registers", unit: "", type: T_FENCES, vgpu: "Fences" },
];

const QUOTA_LIMITS = [
    ["vgpus", "vGPUs"], ["aperture-mib", "Aperture MiB"], ["hidden-mib", "Hidden MiB"],
    ["fences", "Fences"], ["weight", "Weight"],
];

const client = cockpit.dbus(BUS_NAME, { bus: "system", superuser: "try" });
// Reloads the page when the user turns administrative access on or off: the
// bus calls then come from another user, and gvtd's answers change with it.
cockpit.permission({ admin: true });

const state = {
    owner: undefined,        // gvtd's unique name on the bus; null when it is not running
    manager: {},             // the Manager's properties, by name
    parents: client.proxies("org.gvtd1.Parent", MANAGER_PATH),
    vgpus: client.proxies("org.gvtd1.VGPU", MANAGER_PATH),
    definitions: [],
    quotas: [],
    user: null,
    // What gvtd lets this session do: null until asked, then { allowed, message }.
    perm: { own: null, any: null },
};

// -- DOM helpers ------------------------------------------------------------

function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
        if (v === undefined || v === null || v === false)
            continue;
        if (k === "class")
            el.className = v;
        else if (k === "text")
            el.textContent = v;
        else if (k.startsWith("on"))
            el.addEventListener(k.substring(2), v);
        else
            el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
        if (c !== null && c !== undefined && c !== false)
            el.append(c instanceof Node ? c : String(c));
    }
    return el;
}

// Redraws change the page in place: an element that is still wanted stays
// the same element, so a click whose press and release straddle a live
// update is not lost, and keyboard focus stays where it was. Rows and
// controls are matched by their data-row / data-key.
function identity(node) {
    return node.nodeType === Node.ELEMENT_NODE
        ? `${node.nodeName}#${node.dataset.row || node.dataset.key || node.dataset.parent || ""}`
        : `#${node.nodeType}`;
}

function morph(from, to) {
    if (from.nodeType !== Node.ELEMENT_NODE) {
        if (from.nodeValue !== to.nodeValue)
            from.nodeValue = to.nodeValue;
        return;
    }
    for (const { name } of [...from.attributes]) {
        if (!to.hasAttribute(name))
            from.removeAttribute(name);
    }
    for (const { name, value } of [...to.attributes]) {
        if (name === "style")   // through the CSSOM: Cockpit's CSP forbids inline style attributes
            from.style.cssText = to.style.cssText;
        else if (from.getAttribute(name) !== value)
            from.setAttribute(name, value);
    }
    morphChildren(from, to);
}

function morphChildren(from, to) {
    const wanted = [...to.childNodes];
    const old = [...from.childNodes];
    wanted.forEach((node, i) => {
        const have = old[i];
        if (have && identity(have) === identity(node))
            morph(have, node);
        else if (have)
            have.replaceWith(node);
        else
            from.append(node);
    });
    for (const extra of old.slice(wanted.length))
        extra.remove();
}

function replace(container, ...children) {
    const fresh = document.createElement("div");
    fresh.append(...children.flat());
    const focused = document.activeElement && container.contains(document.activeElement)
        ? document.activeElement.dataset.key : null;
    morphChildren(container, fresh);
    if (focused && !container.contains(document.activeElement)) {
        const again = container.querySelector(`[data-key="${CSS.escape(focused)}"]`);
        if (again && !again.disabled)
            again.focus();
    }
}

// What each control does, by its data-key, as of the last redraw: the
// elements outlive a redraw, their actions are looked up when pressed.
const actions = new Map();
document.addEventListener("click", ev => {
    const b = ev.target.closest && ev.target.closest("button[data-key]");
    if (b && !b.disabled && actions.has(b.dataset.key))
        actions.get(b.dataset.key)();
});

function button(label, key, allowed, action, variant) {
    actions.set(key, action);
    return h("button", {
        class: "pf-c-button pf-m-small " + (variant || "pf-m-secondary"),
        type: "button",
        "data-key": key,
        disabled: !allowed.ok,
        title: allowed.ok ? undefined : allowed.why,
    }, label);
}

function table(label, columns, rows, empty) {
    if (rows.length === 0)
        return h("p", { class: "gvt-empty" }, empty);
    return h("table", { class: "pf-c-table pf-m-compact pf-m-grid-md", role: "grid", "aria-label": label },
        h("thead", {}, h("tr", {}, columns.map(c => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows.map(r => h("tr", { "data-row": r.key },
            r.cells.map((c, i) => h("td", { "data-label": columns[i] || "Actions" }, c))))));
}

// -- errors: gvtd's words, as it says them ---------------------------------

function showError(what, ex) {
    const alerts = document.getElementById("alerts");
    const message = ex && ex.message ? ex.message : String(ex);
    const alert = h("div", { class: "pf-c-alert pf-m-danger pf-m-inline gvt-alert", role: "alert" },
        h("p", { class: "pf-c-alert__title" }, what),
        h("div", { class: "pf-c-alert__description gvt-error-message" }, message),
        h("div", { class: "pf-c-alert__action" },
            h("button", {
                class: "pf-c-button pf-m-plain", type: "button", "aria-label": "Dismiss: " + what,
                onclick: () => alert.remove(),
            }, "×")));
    alerts.prepend(alert);
    while (alerts.children.length > 3)
        alerts.lastChild.remove();
}

function clearErrors() {
    document.getElementById("alerts").replaceChildren();
}

// A privileged call: interactive, so polkit may ask the person (Cockpit's agent).
function act(what, method, args) {
    clearErrors();
    return client.call(MANAGER_PATH, MANAGER, method, args)
        .catch(ex => {
            showError(what, ex);
            return null;
        });
}

// -- permissions: gvtd's (polkit's) decision, asked without acting ----------
//
// gvtd has no "may I" call yet. CreateVGPUEx checks authorization (as the
// owner it is for) before it looks the type up, so one for a type no parent
// has answers NotPermitted if the caller may not, and NotFound, having done
// nothing, if it may. Without interaction: a right that needs a password
// shows as denied until the person asks for it (see docs/cockpit.md).
const PROBE_TYPE = "gvt-page-permission-probe";

function probe(method, args) {
    // Any other answer of gvtd's came after its authorization; one from the bus
    // (gvtd not running, say) tells nothing, and allows nothing until gvtd is back.
    return client.call(MANAGER_PATH, MANAGER, method, args)
        .then(() => ({ allowed: true, message: "" }))
        .catch(ex => ({
            allowed: ex.name !== "org.gvtd1.Error.NotPermitted" && String(ex.name).startsWith("org.gvtd1.Error."),
            message: ex.message,
        }));
}

function probePermissions() {
    return Promise.all([
        probe("CreateVGPUEx", ["", PROBE_TYPE, "", "", [], false]),      // as oneself: manage-own-vgpus
        probe("CreateVGPUEx", ["", PROBE_TYPE, "", "root", [], false]),  // for another: manage-vgpus
    ]).then(([own, any]) => {
        state.perm = { own, any };
        render();
    });
}

function mayManage(owner) {
    const { own, any } = state.perm;
    if (any && any.allowed)
        return { ok: true };
    if (own && own.allowed && (owner === undefined || (state.user && owner === state.user.name)))
        return { ok: true };
    return { ok: false, why: (any && any.message) || (own && own.message) || "Asking gvtd…" };
}

function mayAdminister() {
    const any = state.perm.any;
    return any && any.allowed ? { ok: true } : { ok: false, why: (any && any.message) || "Asking gvtd…" };
}

// -- what gvtd says ---------------------------------------------------------

// The Manager is the ObjectManager's own object, which GetManagedObjects does
// not list (and cockpit's proxy for it stays empty): its properties are read
// once and then follow PropertiesChanged.
function mergeProperties(props) {
    for (const [name, variant] of Object.entries(props))
        state.manager[name] = variant.v;
    render();
}

function loadManager() {
    return client.call(MANAGER_PATH, "org.freedesktop.DBus.Properties", "GetAll", [MANAGER])
        .then(([props]) => mergeProperties(props))
        .catch(ex => showError("Could not read gvtd's state", ex));
}

function loadDefinitions() {
    return client.call(MANAGER_PATH, MANAGER, "ListDefinitions", [])
        .then(([defs]) => { state.definitions = defs; render() })
        .catch(ex => showError("Could not list the definitions", ex));
}

function loadQuotas() {
    return client.call(MANAGER_PATH, MANAGER, "ListQuotas", [])
        .then(([quotas]) => { state.quotas = quotas; render() })
        .catch(ex => showError("Could not list the quotas", ex));
}

function vgpuList() {
    return Object.values(state.vgpus).filter(v => v.valid && v.Uuid);
}

// -- drawing ---------------------------------------------------------------

let scheduled = false;
function render() {
    if (scheduled)
        return;
    scheduled = true;
    window.requestAnimationFrame(() => {
        scheduled = false;
        renderStatus();
        renderParents();
        renderVgpus();
        renderQuotas();
    });
}

function renderStatus() {
    const status = document.getElementById("status");
    const m = state.manager;
    if (state.owner === null) {
        status.textContent = "gvtd is not running (org.gvtd1 has no owner on the system bus).";
    } else if (m.Version) {
        status.textContent = `gvtd ${m.Version} · profile ${m.Profile} · modules ${m.ModulesState}`;
    }
    const ro = document.getElementById("readonly");
    const own = state.perm.own;
    ro.hidden = !(own && !own.allowed) || state.owner === null;
    ro.textContent = own && !own.allowed ? "Read only. gvtd says: " + own.message : "";

    const modules = document.getElementById("modules");
    const items = [];
    if (m.ModulesError)
        items.push(h("p", { class: "gvt-modules-error" }, m.ModulesError));
    if (m.ModulesState && !["ready", "loading", "unloading"].includes(m.ModulesState)) {
        items.push(button("Load modules", "load-modules", mayAdminister(),
            () => act("Could not load the modules", "LoadModules", [true]), "pf-m-primary"));
    }
    replace(modules, items);
    document.getElementById("quota-set").disabled = !mayAdminister().ok;
}

function parentVgpus(name) {
    return vgpuList().filter(v => v.Parent === name);
}

function resourceBar(parentName, res, types, vgpus) {
    const used = vgpus.reduce((sum, v) => sum + (v[res.vgpu] || 0), 0);
    // gvtd gives no total: what still fits is at least what the best-fitting type shows.
    const free = types.reduce((max, t) => Math.max(max, t[T_AVAILABLE] * t[res.type]), 0);
    const total = used + free;
    const pct = total > 0 ? Math.round(100 * used / total) : 0;
    const unit = res.unit ? " " + res.unit : "";
    const text = `${used}${unit} in use, at least ${free}${unit} free`;
    const id = `bar-${parentName}-${res.key}`.replace(/[^A-Za-z0-9_-]/g, "_");
    const indicator = h("div", { class: "pf-c-progress__indicator" });
    indicator.style.width = pct + "%";
    return h("div", { class: "pf-c-progress pf-m-sm gvt-bar", "data-resource": res.key, "data-used": used, "data-free": free },
        h("div", { class: "pf-c-progress__description", id }, res.label),
        h("div", { class: "pf-c-progress__status", "aria-hidden": "true" },
            h("span", { class: "pf-c-progress__measure" }, text)),
        h("div", {
            class: "pf-c-progress__bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100,
            "aria-valuenow": pct, "aria-labelledby": id,
            "aria-valuetext": text,
        }, indicator));
}

function ownerArg() {
    return document.getElementById("owner").value.trim();
}

function typeRow(parent, t) {
    const owner = ownerArg();
    const allowed = mayManage(owner === "" ? undefined : owner);
    const key = `${parent}/${t[T_TYPE]}`;
    return {
        key,
        cells: [
            t[T_TYPE], t[T_NAME], `${t[T_APERTURE]} MiB`, `${t[T_HIDDEN]} MiB`, t[T_FENCES], t[T_RESOLUTION],
            t[T_WEIGHT], h("span", { class: "gvt-fits" }, String(t[T_AVAILABLE])),
            h("span", { class: "gvt-actions" },
                button("Create", "create:" + key, allowed,
                    () => act(`Could not create a ${t[T_TYPE]} vGPU on ${parent}`, "CreateVGPUEx",
                        [parent, t[T_TYPE], "", ownerArg(), [], true]), "pf-m-primary"),
                button("Define", "define:" + key, allowed,
                    () => act(`Could not define a ${t[T_TYPE]} vGPU on ${parent}`, "DefineVGPU",
                        [parent, t[T_TYPE], "", ownerArg(), document.getElementById("autostart").checked, [], true]))),
        ],
    };
}

function renderParents() {
    const container = document.getElementById("parents");
    const parents = Object.values(state.parents).filter(p => p.valid && p.Name)
        .sort((a, b) => a.Name.localeCompare(b.Name));
    if (parents.length === 0) {
        replace(container, h("p", { class: "gvt-empty" }, "No GPU with GVT-g types yet."));
        return;
    }
    replace(container, parents.map(p => {
        const types = p.Types || [];
        const vgpus = parentVgpus(p.Name);
        return h("article", { class: "pf-c-card gvt-parent", "data-parent": p.Name, "aria-label": "GPU " + p.Name },
            h("div", { class: "pf-c-card__title" }, h("h3", {}, `${p.Name}`),
                h("span", { class: "gvt-driver" }, `driver ${p.Driver} · ${vgpus.length} vGPU${vgpus.length === 1 ? "" : "s"}`)),
            h("div", { class: "pf-c-card__body" },
                h("div", { class: "gvt-bars" }, RESOURCES.map(r => resourceBar(p.Name, r, types, vgpus))),
                table("Types of " + p.Name,
                    ["Type", "Name", "Aperture", "Hidden", "Fences", "Resolution", "Weight", "Still fit", ""],
                    types.map(t => typeRow(p.Name, t)), "This GPU offers no types.")));
    }));
}

function vgpuRows() {
    const rows = [];
    const running = new Set();
    for (const v of vgpuList()) {
        running.add(v.Uuid);
        const allowed = mayManage(v.Owner);
        const controls = v.Defined
            ? [button("Stop", "stop:" + v.Uuid, allowed, () => act(`Could not stop ${v.Uuid}`, "StopVGPU", [v.Uuid, true])),
               button("Undefine", "undefine:" + v.Uuid, allowed,
                   () => act(`Could not undefine ${v.Uuid}`, "UndefineVGPU", [v.Uuid, true]))]
            : [button("Remove", "remove:" + v.Uuid, allowed,
                () => act(`Could not remove ${v.Uuid}`, "RemoveVGPU", [v.Uuid, true]), "pf-m-danger")];
        rows.push({
            key: v.Uuid,
            cells: [h("code", {}, v.Uuid), v.Parent, v.Type, h("span", { class: "gvt-state" }, v.State),
                v.Owner, v.OpenedBy ? `pid ${v.OpenedBy}` : "—", v.Defined ? "yes" : "no",
                h("span", { class: "gvt-actions" }, controls)],
        });
    }
    for (const [uuid, parent, type, autostart, active, owner] of state.definitions) {
        if (active && running.has(uuid))
            continue;
        const allowed = mayManage(owner);
        rows.push({
            key: uuid,
            cells: [h("code", {}, uuid), parent, type, h("span", { class: "gvt-state" }, "defined"),
                owner, "—", autostart ? "yes, starts at boot" : "yes",
                h("span", { class: "gvt-actions" },
                    button("Start", "start:" + uuid, allowed,
                        () => act(`Could not start ${uuid}`, "StartVGPU", [uuid, true]), "pf-m-primary"),
                    button("Undefine", "undefine:" + uuid, allowed,
                        () => act(`Could not undefine ${uuid}`, "UndefineVGPU", [uuid, true])))],
        });
    }
    return rows.sort((a, b) => a.key.localeCompare(b.key));
}

function renderVgpus() {
    replace(document.getElementById("vgpus"),
        table("vGPUs", ["UUID", "GPU", "Type", "State", "Owner", "Opened by", "Defined", ""], vgpuRows(),
            "No vGPUs."));
}

function renderQuotas() {
    const rows = state.quotas.map(([owner, limits, usage]) => ({
        key: owner,
        cells: [owner].concat(QUOTA_LIMITS.map(([name]) =>
            name in limits ? `${usage[name] || 0} of ${limits[name]}` : `${usage[name] || 0}`)),
    }));
    replace(document.getElementById("quotas"),
        table("Quotas", ["Owner"].concat(QUOTA_LIMITS.map(l => l[1])), rows, "No owner has vGPUs or limits."));
}

function setupQuotaForm() {
    const limits = document.getElementById("quota-limits");
    limits.replaceChildren(...QUOTA_LIMITS.map(([name, label]) =>
        h("span", { class: "gvt-limit" },
            h("label", { for: "quota-" + name }, label),
            h("input", { class: "pf-c-form-control", id: "quota-" + name, type: "number", min: 0, inputmode: "numeric" }))));
    document.getElementById("quota-form").addEventListener("submit", ev => {
        ev.preventDefault();
        const owner = document.getElementById("quota-owner").value.trim();
        const set = {};
        for (const [name] of QUOTA_LIMITS) {
            const value = document.getElementById("quota-" + name).value.trim();
            if (value !== "")
                set[name] = Number(value);
        }
        act(`Could not set the quota of ${owner}`, "SetQuota", [owner, set, true]).then(loadQuotas);
    });
}

function loadAll() {
    probePermissions();
    loadManager();
    loadDefinitions();
    loadQuotas();
}

// -- wiring ----------------------------------------------------------------

function start() {
    setupQuotaForm();
    document.getElementById("owner").addEventListener("input", render);
    // Read once now, and again whenever gvtd (re)starts under a new unique name.
    client.addEventListener("owner", (ev, owner) => {
        const was = state.owner;
        state.owner = owner;
        if (owner && was !== undefined && owner !== was)
            loadAll();
        if (!owner) {
            const gone = { allowed: false, message: "gvtd is not running" };
            state.perm = { own: gone, any: gone };
        }
        render();
    });
    client.addEventListener("close", (ev, options) => {
        showError("Lost the connection to the system bus", { message: cockpit.message(options) });
    });
    client.subscribe({ path: MANAGER_PATH, interface: "org.freedesktop.DBus.Properties", member: "PropertiesChanged" },
        (path, iface, signal, [changedIface, changed]) => {
            if (changedIface === MANAGER)
                mergeProperties(changed);
        });
    client.subscribe({ path: MANAGER_PATH, interface: MANAGER }, (path, iface, name) => {
        if (name.startsWith("Definition"))
            loadDefinitions();
        if (name.startsWith("Definition") || name === "VGPUAdded" || name === "VGPURemoved")
            loadQuotas();
    });
    for (const proxies of [state.parents, state.vgpus]) {
        for (const ev of ["added", "changed", "removed"])
            proxies.addEventListener(ev, render);
    }
    cockpit.user().then(user => { state.user = user; render() });
    loadAll();
    render();
}

start();
