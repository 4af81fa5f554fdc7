import sys, nbformat
for p in sys.argv[1:]:
    nb = nbformat.read(p, 4)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata.pop("jupytext", None)
    nbformat.write(nb, p)
