"""The bundled demo: a living Kabupaten Garut served on 127.0.0.1 in every feed format."""

from cc_console.demo.server import DemoServer
from cc_console.demo.world import DemoWorld

__all__ = ["DemoServer", "DemoWorld"]
