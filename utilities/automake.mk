# utilities/: command-line tools and scripts of ovs-eswitch.
