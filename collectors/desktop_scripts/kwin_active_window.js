// Loaded into KWin by the proactive assistant (collectors/kwin.py) over D-Bus. Reports the active window
// (caption, resource class, pid) to the assistant's own D-Bus connection whenever it or its caption changes.
// __SERVICE__ is replaced with that connection's unique bus name before loading.
const service = "__SERVICE__";
const watched = {};

function report(win) {
    if (!win) {
        callDBus(service, "/org/proactive/KWin", "org.proactive.KWin", "ActiveWindow", "", "", 0, false);
        return;
    }
    callDBus(service, "/org/proactive/KWin", "org.proactive.KWin", "ActiveWindow",
             String(win.caption || ""), String(win.resourceClass || ""), Number(win.pid || 0), true);
}

function activated(win) {
    if (win && !(win.internalId in watched)) {
        watched[win.internalId] = true;
        win.captionChanged.connect(function () {
            if (win.active) {
                report(win);
            }
        });
    }
    report(win);
}

if (workspace.windowActivated) {          // Plasma 6
    workspace.windowActivated.connect(activated);
    activated(workspace.activeWindow);
} else {                                  // Plasma 5
    workspace.clientActivated.connect(activated);
    activated(workspace.activeClient);
}
