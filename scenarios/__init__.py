"""The shipped scenarios, as package data (`redline.scenarios`): the flagship, its variants, cases/ and ladders/."""
