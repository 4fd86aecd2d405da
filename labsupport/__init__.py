"""labsupport: the code the CNN course builds up, chapter by chapter.

Modules are imported on demand (``from labsupport import conv``); importing the
package itself is cheap and quiets TensorFlow before anything imports it.
"""

from .reproducibility import import_tensorflow, quiet_tensorflow, seed_everything, setup_notebook
from .profiles import current_profile

quiet_tensorflow()

__all__ = ["current_profile", "import_tensorflow", "quiet_tensorflow", "seed_everything", "setup_notebook"]
__version__ = "0.1.0"
