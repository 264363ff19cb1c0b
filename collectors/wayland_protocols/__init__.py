"""pywayland bindings for the two protocols pywayland does not ship: wlr-foreign-toplevel-management
(window list and focus on wlroots compositors) and KDE's org_kde_kwin_idle (idle notifications on sway
before 1.8 and KWin before 5.27). Each file keeps its protocol's copyright and license header."""
