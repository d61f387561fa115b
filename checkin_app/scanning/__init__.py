"""Ways a code reaches the desk other than keystrokes (Qt-free parts): camera frame decoding."""
