"""Real-window tests: the desk process under Xvfb, a Chinese input method, keys from xdotool."""
