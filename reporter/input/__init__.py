"""Input: read a file or an object, detect its shape, validate it -> HeadTable."""
