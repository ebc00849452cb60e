"""The Qt tray: a plain-Python view model (`viewmodel`) rendered by Qt widgets (`window`,
`tabs`, `tray`), fed by worker threads (`workers`) that never touch Qt."""
